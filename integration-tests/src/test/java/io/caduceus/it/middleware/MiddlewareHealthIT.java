package io.caduceus.it.middleware;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.routes.CaduceusApplication;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.main.Main;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The middleware, configured from the devnet's connection files exactly as ./caduceus up does, sees its dependencies. */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka", "ethereum"})
class MiddlewareHealthIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    @Test
    void reportsKafkaAndEthereumUpThroughItsHealthEndpoint() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        // The devnet's connection files, plus one that moves the HTTP port off the default.
        Path config = Files.createDirectory(tmp.resolve("config"));
        try (var files = Files.list(Devnet.runDir().resolve("conn"))) {
            for (Path file : files.toList()) {
                Files.copy(file, config.resolve(file.getFileName()));
            }
        }
        Files.writeString(config.resolve("zz-test.properties"), "camel.server.port=" + port + "\n");

        Main main = new Main(CaduceusApplication.class);
        CaduceusApplication.configure(main, config.toString(), null);
        main.start();
        try {
            URI health = URI.create("http://127.0.0.1:" + port + "/observe/health");
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                String body = HTTP.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(body)
                        .contains("{\"name\":\"kafka\",\"status\":\"UP\"")
                        .contains("{\"name\":\"ethereum\",\"status\":\"UP\"");
            });
        } finally {
            main.stop();
        }
    }
}
