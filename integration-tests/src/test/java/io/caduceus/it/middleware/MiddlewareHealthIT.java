package io.caduceus.it.middleware;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.TestIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The middleware, configured from the devnet's connection files exactly as ./caduceus up does, sees its dependencies. */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka", "ethereum"})
class MiddlewareHealthIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    @Test
    void reportsKafkaAndEthereumUpThroughItsHealthEndpoint() throws Exception {
        try (InProcessMiddleware middleware = InProcessMiddleware.start(tmp, Map.of())) {
            URI health = URI.create("http://127.0.0.1:" + middleware.httpPort() + "/observe/health");
            URI status = URI.create("http://127.0.0.1:" + middleware.httpPort() + "/api/status");
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                HttpResponse<String> summary = HTTP.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(summary.statusCode()).as(summary.body()).isEqualTo(200);
                // Which dependency is which is for operators only.
                HttpResponse<String> checks = HTTP.send(TestIssuer.asOperator(HttpRequest.newBuilder(status)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(checks.body()).as("HTTP %d %s", checks.statusCode(), checks.headers().map())
                        .contains("\"name\":\"kafka\",\"status\":\"UP\"")
                        .contains("\"name\":\"ethereum\",\"status\":\"UP\"");
            });
        }
    }
}
