package io.caduceus.routes;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.main.Main;

/**
 * The application as it starts, with every shipped route, for tests that need no broker: an extra route
 * configuration skips the sends to Kafka (so records are stored and acknowledged without one), Kafka and Ethereum
 * point at ports nothing listens on, anchoring is off and secrets are generated in the test's folder.
 */
public final class AppWithoutKafka {

    private static final String SKIP_KAFKA = """
            - routeConfiguration:
                interceptSendToEndpoint:
                  - interceptSendToEndpoint:
                      uri: "kafka:*"
                      skipSendToOriginalEndpoint: true
                      steps:
                        - removeHeader:
                            name: kafka.KEY
            """;

    private AppWithoutKafka() {
    }

    /**
     * As {@link #start}, but each send to Kafka first waits as many milliseconds as the system property
     * {@value #KAFKA_DELAY_PROPERTY} says when it is sent (a broker that is down, then back).
     */
    public static final String KAFKA_DELAY_PROPERTY = "caduceus.test.kafka-delay-ms";

    private static final String SLOW_KAFKA = """
            - routeConfiguration:
                interceptSendToEndpoint:
                  - interceptSendToEndpoint:
                      uri: "kafka:*"
                      skipSendToOriginalEndpoint: true
                      steps:
                        - delay:
                            simple: "${sys.caduceus.test.kafka-delay-ms}"
                            asyncDelayed: false
                        - removeHeader:
                            name: kafka.KEY
            """;

    public static Main startWithSlowKafka(Path dir, String... properties) throws Exception {
        return start(dir, SLOW_KAFKA, properties);
    }

    /** Starts the application configured from {@code dir}; {@code properties} ({@code key=value}) come on top. */
    public static Main start(Path dir, String... properties) throws Exception {
        return start(dir, SKIP_KAFKA, properties);
    }

    private static Main start(Path dir, String kafkaStandIn, String... properties) throws Exception {
        int nothingListens = freePort();
        List<String> lines = new ArrayList<>(List.of(
                "kafka.bootstrap.servers=127.0.0.1:" + nothingListens,
                "ethereum.rpc.url=http://127.0.0.1:" + nothingListens,
                "caduceus.anchor.enabled=false",
                "caduceus.data.directory=" + dir.resolve("data"),
                "caduceus.secrets.generate-if-missing=true"));
        lines.addAll(List.of(properties));
        lines.add("");
        Files.writeString(dir.resolve("test.properties"), String.join("\n", lines));
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("no-kafka.camel.yaml"), kafkaStandIn);
        Main main = new Main(CaduceusApplication.class);
        CaduceusApplication.configure(main, dir.toString(), routes.toString());
        main.start();
        return main;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
