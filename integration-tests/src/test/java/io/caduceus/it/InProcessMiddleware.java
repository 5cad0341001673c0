package io.caduceus.it;

import io.caduceus.adapters.kafka.RecordMac;
import io.caduceus.routes.CaduceusApplication;
import io.caduceus.edge.services.IngestServices;
import io.caduceus.adapters.kafka.KafkaClients;
import io.caduceus.edge.mllp.MllpListenerStats;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.main.Main;

/**
 * The middleware started in the test JVM exactly as ./caduceus up configures it (the devnet's connection files as its
 * configuration folder), on free ports and with its state in a folder of the test's own.
 */
public final class InProcessMiddleware implements AutoCloseable {

    /** Off unless a test sets it: see {@code prepare}/{@code start}. */
    public static final String FABRIC_ENABLED = "caduceus.fabric.enabled";

    private final Main main;
    private final int httpPort;
    private final int mllpPort;

    private InProcessMiddleware(Main main, int httpPort, int mllpPort) {
        this.main = main;
        this.httpPort = httpPort;
        this.mllpPort = mllpPort;
    }

    public static InProcessMiddleware start(Path workDir, Map<String, String> overrides) throws Exception {
        Path config = Files.createDirectories(workDir.resolve("config"));
        try (var files = Files.list(Devnet.runDir().resolve("conn"))) {
            for (Path file : files.toList()) {
                Files.copy(file, config.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        int http = freePort();
        int mllp = freePort();
        StringBuilder props = new StringBuilder();
        props.append("camel.server.port=").append(http).append('\n')
                .append("caduceus.mllp.port=").append(mllp).append('\n')
                .append("caduceus.data.directory=").append(workDir.resolve("data")).append('\n')
                .append("caduceus.secrets.generate-if-missing=true\n");
        // Whether a Fabric network happens to be up (and its conn file present) must not change what a test runs:
        // tests of the Fabric flow ask for it with caduceus.fabric.enabled=true.
        if (!overrides.containsKey(FABRIC_ENABLED)) {
            props.append(FABRIC_ENABLED).append("=false\n");
        }
        // Operator APIs and FHIR need a token issuer; a test that brings its own issuer sets all three options.
        if (!overrides.containsKey("caduceus.fhir.auth.issuer")) {
            TestIssuer.middlewareProperties().forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
        }
        overrides.forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
        Files.writeString(config.resolve("zz-test.properties"), props.toString());
        Main main = new Main(CaduceusApplication.class);
        CaduceusApplication.configure(main, config.toString(), null);
        main.start();
        return new InProcessMiddleware(main, http, mllp);
    }

    public int httpPort() {
        return httpPort;
    }

    public int mllpPort() {
        return mllpPort;
    }

    public MllpClient mllpClient() throws IOException {
        return new MllpClient("127.0.0.1", mllpPort, 30_000);
    }

    /** The record id the middleware stores the message {@code HIS^GENERAL}, {@code controlId} under. */
    public String recordIdOf(String controlId) {
        return Hl7Messages.recordIdOf(ingest().recordIds(), controlId);
    }

    public IngestServices ingest() {
        return main.getCamelContext().getRegistry().lookupByNameAndType("ingestServices", IngestServices.class);
    }

    /** What the MLLP listener's limits counted (the figures GET /api/status shows). */
    public MllpListenerStats mllpStats() {
        return main.getCamelContext().getRegistry().lookupByNameAndType(MllpListenerStats.BEAN, MllpListenerStats.class);
    }

    /** The key the middleware authenticates its ledger entries and access events with (for tests that write as it). */
    public RecordMac recordMac() {
        return KafkaClients.of(main.getCamelContext()).recordMac();
    }

    public String property(String key) {
        return main.getCamelContext().getPropertiesComponent().resolveProperty(key).orElseThrow();
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Stops Camel and closes the vault, as the application's afterStop would (Main.stop() alone does not run it), so
     * that a test can start the middleware again on the same data folder. Closing an already closed vault is a no-op.
     */
    @Override
    public void close() {
        IngestServices ingest = ingest();
        main.stop();
        if (ingest != null) {
            ingest.close();
        }
    }
}
