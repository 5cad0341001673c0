package io.caduceus.edge.hl7;

import static io.caduceus.edge.hl7.SlowKafkaApp.adt;
import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.json.CanonicalJson;
import io.caduceus.edge.status.StatusReport;
import io.caduceus.edge.store.StoreDeadline;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application as shipped, with a Kafka stand-in that takes as long as the test says: three messages past the
 * store deadline open the store breaker; while it is open messages are answered AE 207 (CE in enhanced mode) without
 * being tried, the status and the metrics say OPEN; while Kafka is still down after the open time, the trial's sender
 * is answered after the short trial timeout while the breaker waits on for the trial's own outcome and opens again;
 * once Kafka is back, the first message after the open time is the trial, stored and AA, and the breaker is closed
 * again.
 */
class StoreBreakerRouteTest {

    @TempDir
    static Path tmp;

    private static SlowKafkaApp app;

    @BeforeAll
    static void start() throws Exception {
        app = SlowKafkaApp.start(tmp,
                "caduceus.ingest.store-timeout-ms=1500",
                "caduceus.ingest.breaker.failure-threshold=3",
                "caduceus.ingest.breaker.open-ms=6000",
                "caduceus.ingest.breaker.trial-timeout-ms=100");
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> breaker() {
        Map<?, ?> status = (Map<?, ?>) CanonicalJson.parse(app.bean("statusReport", StatusReport.class)
                .report(app.context()));
        return (Map<String, Object>) ((Map<?, ?>) status.get("ingest")).get("breaker");
    }

    @Test
    void opensAfterThreeTimeoutsRefusesWithoutTryingAndClosesOnATrialOnceKafkaIsBack() throws Exception {
        StoreDeadline deadline = app.bean("storeDeadline", StoreDeadline.class);
        assertThat(breaker()).containsEntry("state", "CLOSED").containsEntry("enabled", true);
        SlowKafkaApp.kafkaDelay(3000);
        try {
            for (int i = 1; i <= 3; i++) {
                assertThat(app.send(adt("BRK-" + i, false))).contains("\rMSA|AE|BRK-" + i).contains("|207^");
            }
            assertThat(deadline.timedOut()).isEqualTo(3);
            assertThat(breaker()).containsEntry("state", "OPEN").containsEntry("lastFailure", "StoreTimeoutException");

            // Refused without being tried: no deadline passes, the refusal count says so.
            assertThat(app.send(adt("BRK-4", false))).contains("\rMSA|AE|BRK-4").contains("|207^");
            assertThat(app.send(adt("BRK-5", true))).as("CE in enhanced mode").contains("\rMSA|CE|BRK-5").contains("207");
            assertThat(deadline.timedOut()).isEqualTo(3);
            assertThat(deadline.breakerRefused()).isEqualTo(2);
            assertThat(scrape()).contains("caduceus_ingest_breaker_state 2.0")
                    .contains("caduceus_ingest_breaker_refused_total 2.0");

            // Still down after the open time: the trial's sender is answered AE 207 after the 100 ms trial timeout, and
            // is answered while the breaker still waits for the trial's own outcome (HALF_OPEN), not at its end.
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertThat(app.send(adt("BRK-T", false))).contains("\rMSA|AE|BRK-T").contains("|207^");
                return "HALF_OPEN".equals(breaker().get("state"));
            });
            long refused = deadline.breakerRefused();
            assertThat(app.send(adt("BRK-7", false))).contains("\rMSA|AE|BRK-7").contains("|207^");
            assertThat(deadline.breakerRefused()).as("the others are refused at once while the trial runs")
                    .isEqualTo(refused + 1);
            // The trial's write overruns the 1.5 s store deadline (Kafka answers after 3 s): open again, same outage.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "OPEN".equals(breaker().get("state")));
            assertThat(breaker()).containsEntry("lastFailure", "StoreTimeoutException");
            assertThat(((Number) breaker().get("timesOpened")).longValue()).as("the same outage").isEqualTo(1);
        } finally {
            SlowKafkaApp.kafkaDelay(0);
        }

        // Kafka is back: within the open time still refused, then the trial is stored and everything flows.
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(app.send(adt("BRK-4", false))).contains("\rMSA|AA|BRK-4"));
        assertThat(breaker()).containsEntry("state", "CLOSED");
        assertThat(((Number) breaker().get("timesOpened")).longValue()).isEqualTo(1);
        assertThat(app.send(adt("BRK-6", false))).contains("\rMSA|AA|BRK-6");
        assertThat(scrape()).contains("caduceus_ingest_breaker_state 0.0");
    }

    private static String scrape() {
        return io.caduceus.edge.metrics.CaduceusMetrics.of(app.context()).scrape().orElse("");
    }
}
