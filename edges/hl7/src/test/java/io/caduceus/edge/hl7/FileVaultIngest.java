package io.caduceus.edge.hl7;

import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.edge.services.IngestServices;
import io.caduceus.hl7.mapping.Hl7ToFhirMapper;
import io.caduceus.ingest.vault.RecordVault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The ingest services as the middleware builds them, over a file vault in a throw-away folder, with a fresh random
 * deployment secret and master key, and a Camel context to make exchanges in: what a test of the HL7 intake, store
 * and quarantine steps runs them against. Register it as a field ({@code @RegisterExtension}); each test gets its
 * own, closed and deleted after it.
 */
final class FileVaultIngest implements BeforeEachCallback, AfterEachCallback {

    private Path directory;
    private DefaultCamelContext camel;
    private IngestServices services;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        directory = Files.createTempDirectory("file-vault-ingest");
        camel = new DefaultCamelContext();
        services = new IngestServices(FileRecordVault.open(directory, MasterKey.of(random32())),
                Hl7ToFhirMapper.builder(), random32(), false);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        services.close();
        camel.close();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    IngestServices services() {
        return services;
    }

    RecordVault vault() {
        return services.vault();
    }

    Exchange exchange() {
        return new DefaultExchange(camel);
    }

    private static byte[] random32() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
