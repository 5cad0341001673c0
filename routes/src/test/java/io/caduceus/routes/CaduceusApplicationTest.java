package io.caduceus.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaduceusApplicationTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    @Test
    void laterConfigurationFilesOverrideEarlierOnesAndTheBuiltInDefaults() throws Exception {
        Files.writeString(tmp.resolve("a.properties"), "kafka.bootstrap.servers=a:1\nethereum.chain.id=5\n");
        Files.writeString(tmp.resolve("b.properties"), "kafka.bootstrap.servers=b:2\n");
        Files.writeString(tmp.resolve("notes.txt"), "kafka.bootstrap.servers=ignored:3\n");

        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation(CaduceusApplication.propertyLocations(tmp));
            assertThat(context.resolvePropertyPlaceholders("{{kafka.bootstrap.servers}}")).isEqualTo("b:2");
            assertThat(context.resolvePropertyPlaceholders("{{ethereum.chain.id}}")).isEqualTo("5");
            assertThat(context.resolvePropertyPlaceholders("{{ethereum.rpc.url}}")).isEqualTo("http://127.0.0.1:8545");
        }
    }

    @Test
    void missingConfigurationFolderIsAnErrorNotASilentDefault() {
        assertThatThrownBy(() -> CaduceusApplication.propertyLocations(tmp.resolve("absent")))
                .isInstanceOf(IOException.class).hasMessageContaining("absent");
    }

    @Test
    void startsWithYamlRoutesAndReportsUnreachableDependenciesAsDown() throws Exception {
        int http = freePort();
        int nothingListens = freePort();
        Files.writeString(tmp.resolve("test.properties"), String.join("\n",
                "camel.server.port=" + http,
                "kafka.bootstrap.servers=127.0.0.1:" + nothingListens,
                "ethereum.rpc.url=http://127.0.0.1:" + nothingListens,
                "caduceus.mllp.port=" + freePort(),
                "caduceus.data.directory=" + tmp.resolve("data"),
                "caduceus.secrets.generate-if-missing=true",
                ""));
        Path extraRoutes = Files.createDirectory(tmp.resolve("routes"));
        Files.writeString(extraRoutes.resolve("ping.camel.yaml"), """
                - route:
                    id: ping
                    from:
                      uri: platform-http:/api/ping
                      steps:
                        - setBody:
                            constant: pong
                """);

        Main main = new Main(CaduceusApplication.class);
        CaduceusApplication.configure(main, tmp.toString(), extraRoutes.toString());
        main.start();
        try {
            // Without a token issuer configured, operator APIs are closed to everyone (ApiSecurityTest has the rest).
            assertThat(get("http://127.0.0.1:" + http + "/api/status").statusCode()).isEqualTo(401);

            assertThat(get("http://127.0.0.1:" + http + "/api/ping").body()).isEqualTo("pong");

            HttpResponse<String> health = get("http://127.0.0.1:" + http + "/observe/health");
            assertThat(health.statusCode()).as("Kafka and Ethereum are unreachable").isEqualTo(503);
            assertThat(health.body()).contains("DOWN").doesNotContain("kafka");
        } finally {
            main.stop();
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
