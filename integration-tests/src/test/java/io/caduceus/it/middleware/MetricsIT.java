package io.caduceus.it.middleware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.Hl7Messages;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.MllpClient;
import io.caduceus.it.TestIssuer;
import io.caduceus.it.support.Hardhat;
import io.caduceus.it.support.MiddlewareSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /observe/metrics} of the middleware on the devnet (Kafka, Fabric, hardhat), after real traffic: HL7
 * messages stored, one quarantined, a FHIR request, entries committed to Fabric and anchored. Every metric that the
 * shipped alert rules (docker/prometheus/caduceus-rules.yml) and the Grafana dashboard name is in the scrape, the
 * counters and gauges say what happened, the endpoint admits only the operator and metrics roles, and no label or
 * value carries the patient's name or identifier.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka", "ethereum", "fabric"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {

    private static final String CANARY = "Zzyzxmetricscanary";
    private static final Pattern METRIC = Pattern.compile("(?<![:\\w])(caduceus_[a-z0-9_]+)");

    @TempDir
    static Path work;

    private final String suffix = Long.toString(System.nanoTime());
    private InProcessMiddleware middleware;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() throws Exception {
        middleware = InProcessMiddleware.start(work, MiddlewareSettings.of(
                MiddlewareSettings.ownTopics("metrics", suffix),
                MiddlewareSettings.ownFabric("metrics", suffix),
                MiddlewareSettings.quickAnchoring(1),
                Map.of("caduceus.metrics.refresh-seconds", "1")));
    }

    @AfterAll
    void stop() {
        if (middleware != null) {
            middleware.close();
        }
    }

    @Test
    void aRealScrapeHoldsEveryMetricTheRulesAndTheDashboardNameAndNoPatientData() throws Exception {
        try (MllpClient client = middleware.mllpClient()) {
            for (int i = 1; i <= 3; i++) {
                String ack = client.send(Hl7Messages.adt("MET" + suffix + i, CANARY));
                assertThat(MllpClient.ackCode(ack)).as(ack).isEqualTo("AA");
            }
            // A message type no mapping supports: rejected (AR) and quarantined.
            String rejected = client.send("MSH|^~\\&|LAB|GENERAL|CADUCEUS|HUB|20261125101500||ZZZ^Z01|METQ"
                    + suffix + "|P|2.5.1\rEVN|Z01|20261125101500\r");
            assertThat(MllpClient.ackCode(rejected)).as(rejected).isEqualTo("AR");
        }
        HttpResponse<String> metadata = http.send(HttpRequest.newBuilder(uri("/fhir/metadata")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metadata.statusCode()).isEqualTo(200);

        assertThat(scrape(null).statusCode()).as("anonymous").isEqualTo(401);
        assertThat(scrape("caduceus.auditor caduceus.privacy-officer").statusCode()).as("wrong roles").isEqualTo(403);
        assertThat(scrape("caduceus.operator").statusCode()).as("operator").isEqualTo(200);

        Set<String> wanted = namesInRulesAndDashboard();
        String[] last = new String[1];
        // Until Fabric committed the entries, the anchor is confirmed and the refresher read its cost and the balance.
        Hardhat hardhat = Hardhat.ofDevnet();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            // One confirmation needs a block after the anchor's; when all entries came in one anchor nothing else mines it.
            hardhat.mine();
            HttpResponse<String> response = scrape("caduceus.metrics");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    ct -> assertThat(ct).startsWith("text/plain"));
            last[0] = response.body();
            assertThat(value(last[0], "caduceus_ledger_entries_committed_total")).isGreaterThanOrEqualTo(3);
            assertThat(value(last[0], "caduceus_anchor_gas_used")).isPositive();
            assertThat(value(last[0], "caduceus_anchor_cost_wei")).isPositive();
            assertThat(value(last[0], "caduceus_anchor_key_balance_wei")).isPositive();
            assertThat(value(last[0], "caduceus_anchor_last_confirmed_timestamp_seconds")).isPositive();
            assertThat(value(last[0], "caduceus_quarantine_messages")).isGreaterThanOrEqualTo(1);
            assertThat(value(last[0], "caduceus_vault_records")).isGreaterThanOrEqualTo(3);
        });
        String scrape = last[0];
        Set<String> missing = new TreeSet<>();
        for (String name : wanted) {
            // A histogram's family name (as a rule's description names it) is there when its buckets are.
            if (!Pattern.compile("(?m)^" + Pattern.quote(name) + "(_bucket)?[{ ]").matcher(scrape).find()) {
                missing.add(name);
            }
        }
        assertThat(missing).as("metrics the rules or the dashboard name that the scrape lacks").isEmpty();

        assertThat(value(scrape, "caduceus_hl7_messages_received_total{message_type=\"ADT^A04\",sender=\"HIS^GENERAL\"}"))
                .isEqualTo(3);
        assertThat(value(scrape, "caduceus_hl7_messages_acknowledged_total{code=\"AA\",message_type=\"ADT^A04\","
                + "sender=\"HIS^GENERAL\"}")).isEqualTo(3);
        assertThat(value(scrape, "caduceus_hl7_messages_quarantined_total{message_type=\"ZZZ^Z01\",sender=\"LAB^GENERAL\"}"))
                .isEqualTo(1);
        assertThat(value(scrape, "caduceus_fhir_requests_total{operation=\"metadata\",status=\"200\"}")).isEqualTo(1);
        assertThat(value(scrape, "caduceus_hl7_ack_latency_seconds_count{code=\"AA\"}")).isEqualTo(3);
        assertThat(scrape).contains("caduceus_kafka_produce_seconds_count{outcome=\"ok\",topic=\"it.metrics.ledger-entries."
                + suffix + "\"}");
        assertThat(scrape).contains("caduceus_fabric_block_height{org=\"");
        assertThat(scrape).as("Camel's route counts and the JVM's meters are there too").contains("\ncamel_routes_",
                "\njvm_memory_used_bytes");
        assertThat(scrape).as("no patient data").doesNotContain(CANARY, "MRN-", "pp1_")
                .doesNotContainPattern("r_[0-9a-f]{32}");
        System.out.println("MetricsIT: " + scrape.lines().filter(l -> l.startsWith("caduceus_")).count()
                + " caduceus_ samples; names checked against the rules and dashboard: " + wanted);
    }

    /** The metric names (caduceus_*, not the caduceus:* recording rules) the rules and the dashboard query. */
    static Set<String> namesInRulesAndDashboard() throws Exception {
        Path root = repositoryRoot();
        Set<String> names = new LinkedHashSet<>();
        for (Path file : new Path[] {root.resolve("docker/prometheus/caduceus-rules.yml"),
                root.resolve("docker/grafana/dashboards/caduceus.json")}) {
            String text = Files.readString(file).lines().filter(l -> !l.strip().startsWith("#"))
                    .reduce("", (a, b) -> a + "\n" + b);
            // Only in queries: the rules' descriptions name metrics too, which must exist all the same.
            Matcher m = METRIC.matcher(text);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        assertThat(names).as("names found in the rules and the dashboard").hasSizeGreaterThan(15);
        return names;
    }

    private static double value(String scrape, String series) {
        String prefix = series.contains("{") ? series : series + " ";
        return scrape.lines().filter(l -> l.startsWith(prefix) || l.startsWith(series + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .filter(v -> !Double.isNaN(v)).sum();
    }

    private HttpResponse<String> scrape(String scopes) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/observe/metrics")).timeout(Duration.ofSeconds(10));
        if (scopes != null) {
            TestIssuer.authorized(request, scopes);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + middleware.httpPort() + path);
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker/compose.yaml")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no docker/compose.yaml above " + Path.of("").toAbsolutePath());
    }
}
