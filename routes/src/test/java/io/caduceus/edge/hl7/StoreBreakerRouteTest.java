package io.caduceus.edge.hl7;

import io.caduceus.edge.store.StoreTimeoutException;
import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.json.CanonicalJson;
import io.caduceus.routes.AppWithoutKafka;
import io.caduceus.edge.status.StatusReport;
import io.caduceus.edge.store.StoreDeadline;
import io.caduceus.edge.mllp.MllpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.main.Main;
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

    private static Main main;
    private static int mllpPort;
    private static final MllpClient CLIENT = new MllpClient(Duration.ofSeconds(5), Duration.ofSeconds(60), 65536);

    @BeforeAll
    static void start() throws Exception {
        System.setProperty(AppWithoutKafka.KAFKA_DELAY_PROPERTY, "0");
        mllpPort = AppWithoutKafka.freePort();
        main = AppWithoutKafka.startWithSlowKafka(tmp,
                "camel.server.port=" + AppWithoutKafka.freePort(),
                "caduceus.mllp.port=" + mllpPort,
                "caduceus.ingest.store-timeout-ms=1500",
                "caduceus.ingest.breaker.failure-threshold=3",
                "caduceus.ingest.breaker.open-ms=6000",
                "caduceus.ingest.breaker.trial-timeout-ms=100");
    }

    @AfterAll
    static void stop() {
        System.clearProperty(AppWithoutKafka.KAFKA_DELAY_PROPERTY);
        if (main != null) {
            main.stop();
        }
    }

    private static String adt(String controlId, boolean enhanced) {
        return "MSH|^~\\&|HIS|HOSPITAL|CADUCEUS|HUB|20261125101500||ADT^A01^ADT_A01|" + controlId + "|P|2.5.1|||"
                + (enhanced ? "AL|NE" : "|") + "\rEVN|A01|20261125101500\rPID|1||MRN-" + controlId
                + "^^^HOSPITAL^MR||Doe^Jane||19700101|F\rPV1|1|I|STA1^R101^B1\r";
    }

    private static String send(String message) throws Exception {
        return new String(CLIENT.send("127.0.0.1", mllpPort, message.getBytes(StandardCharsets.ISO_8859_1)),
                StandardCharsets.ISO_8859_1);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> breaker() {
        Map<?, ?> status = (Map<?, ?>) CanonicalJson.parse(main.getCamelContext().getRegistry()
                .lookupByNameAndType("statusReport", StatusReport.class).report(main.getCamelContext()));
        return (Map<String, Object>) ((Map<?, ?>) status.get("ingest")).get("breaker");
    }

    @Test
    void opensAfterThreeTimeoutsRefusesWithoutTryingAndClosesOnATrialOnceKafkaIsBack() throws Exception {
        StoreDeadline deadline = main.getCamelContext().getRegistry().lookupByNameAndType("storeDeadline", StoreDeadline.class);
        assertThat(breaker()).containsEntry("state", "CLOSED").containsEntry("enabled", true);
        System.setProperty(AppWithoutKafka.KAFKA_DELAY_PROPERTY, "3000");
        try {
            for (int i = 1; i <= 3; i++) {
                assertThat(send(adt("BRK-" + i, false))).contains("\rMSA|AE|BRK-" + i).contains("|207^");
            }
            assertThat(deadline.timedOut()).isEqualTo(3);
            assertThat(breaker()).containsEntry("state", "OPEN").containsEntry("lastFailure", "StoreTimeoutException");

            // Refused without being tried: no deadline passes, the refusal count says so.
            assertThat(send(adt("BRK-4", false))).contains("\rMSA|AE|BRK-4").contains("|207^");
            assertThat(send(adt("BRK-5", true))).as("CE in enhanced mode").contains("\rMSA|CE|BRK-5").contains("207");
            assertThat(deadline.timedOut()).isEqualTo(3);
            assertThat(deadline.breakerRefused()).isEqualTo(2);
            assertThat(scrape()).contains("caduceus_ingest_breaker_state 2.0")
                    .contains("caduceus_ingest_breaker_refused_total 2.0");

            // Still down after the open time: the trial's sender is answered AE 207 after the 100 ms trial timeout, and
            // is answered while the breaker still waits for the trial's own outcome (HALF_OPEN), not at its end.
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertThat(send(adt("BRK-T", false))).contains("\rMSA|AE|BRK-T").contains("|207^");
                return "HALF_OPEN".equals(breaker().get("state"));
            });
            long refused = deadline.breakerRefused();
            assertThat(send(adt("BRK-7", false))).contains("\rMSA|AE|BRK-7").contains("|207^");
            assertThat(deadline.breakerRefused()).as("the others are refused at once while the trial runs")
                    .isEqualTo(refused + 1);
            // The trial's write overruns the 1.5 s store deadline (Kafka answers after 3 s): open again, same outage.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "OPEN".equals(breaker().get("state")));
            assertThat(breaker()).containsEntry("lastFailure", "StoreTimeoutException");
            assertThat(((Number) breaker().get("timesOpened")).longValue()).as("the same outage").isEqualTo(1);
        } finally {
            System.setProperty(AppWithoutKafka.KAFKA_DELAY_PROPERTY, "0");
        }

        // Kafka is back: within the open time still refused, then the trial is stored and everything flows.
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(send(adt("BRK-4", false))).contains("\rMSA|AA|BRK-4"));
        assertThat(breaker()).containsEntry("state", "CLOSED");
        assertThat(((Number) breaker().get("timesOpened")).longValue()).isEqualTo(1);
        assertThat(send(adt("BRK-6", false))).contains("\rMSA|AA|BRK-6");
        assertThat(scrape()).contains("caduceus_ingest_breaker_state 0.0");
    }

    private static String scrape() {
        return io.caduceus.edge.metrics.CaduceusMetrics.of(main.getCamelContext()).scrape().orElse("");
    }
}
