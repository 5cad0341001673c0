package io.caduceus.it.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caduceus.core.json.CanonicalJson;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.Hl7Messages;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.KafkaTopicReader;
import io.caduceus.it.MllpClient;
import io.caduceus.it.TestIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.methods.response.VoidResponse;
import org.web3j.protocol.http.HttpService;

/**
 * The operator console in a real headless browser (Debian's chromium through chromedriver) against the middleware on
 * the devnet's Kafka and hardhat: every page loads, the flow counters move when messages arrive over MLLP, reprocess
 * and discard work from the quarantine page (the discard's reason recorded, the bytes kept), the tracker shows a
 * message's stages, and the proof page's own JavaScript says valid for a real proof and invalid for a tampered one,
 * asking hardhat itself. The data APIs refuse anonymous and wrong-role callers, and every operator action is on the
 * access log (its Kafka topic). Screenshots of each page: {@code target/console-screenshots/}.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka", "ethereum"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {

    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final String SENDER = "HIS^GENERAL";

    @TempDir
    static Path work;

    private final String suffix = Long.toString(System.nanoTime());
    private final String accessTopic = "it.console.access-events." + suffix;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private InProcessMiddleware middleware;
    private HeadlessChromium browser;
    private final List<String> recordIds = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        middleware = InProcessMiddleware.start(work, Map.of(
                "caduceus.kafka.topic.ledger-entries", "it.console.ledger-entries." + suffix,
                "caduceus.kafka.topic.quarantine", "it.console.quarantine." + suffix,
                "caduceus.kafka.topic.access-events", accessTopic,
                "caduceus.anchor.devnet-bootstrap", "true",
                "caduceus.anchor.max-entries", "2",
                "caduceus.anchor.max-interval-ms", "1000",
                "caduceus.anchor.tick-ms", "250",
                "caduceus.anchor.confirmations", "1",
                "caduceus.anchor.feed.poll-ms", "200"));
        if (HeadlessChromium.missing().isEmpty()) {
            browser = HeadlessChromium.start(work.resolve("chromedriver"));
            browser.open();
        }
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (middleware != null) {
            var ingest = middleware.ingest();
            middleware.close();
            ingest.close();
        }
    }

    @Test
    @Order(1)
    void theShellIsPublicWithSecurityHeadersAndEveryDataApiRefusesAnonymousAndWrongRoleCallers() throws Exception {
        HttpResponse<String> shell = send("GET", "/console", null, null);
        assertThat(shell.statusCode()).as("the static shell is public on purpose: no data").isEqualTo(200);
        assertThat(shell.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("script-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe-inline"));
        assertThat(shell.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

        String q = middleware.ingest().vault().quarantine(SENDER + "^SEC" + suffix, "test entry",
                "MSH|^~\\&|".getBytes(StandardCharsets.ISO_8859_1), Instant.now()).quarantineId();
        String[][] apis = {
            {"GET", "/api/flow", "caduceus.auditor caduceus.privacy-officer"},
            {"GET", "/api/quarantine", "caduceus.auditor caduceus.privacy-officer"},
            {"POST", "/api/quarantine/" + q + "/discard", "caduceus.auditor caduceus.privacy-officer"},
            {"POST", "/api/quarantine/" + q + "/reprocess", "caduceus.auditor caduceus.privacy-officer"},
            {"GET", "/api/quarantine/" + q + "/content", "caduceus.operator caduceus.auditor"},
            {"GET", "/api/track/by-message?sender=HIS%5EGENERAL&controlId=X", "caduceus.auditor caduceus.privacy-officer"},
            {"POST", "/api/track/patient", "caduceus.operator caduceus.auditor"},
            {"GET", "/api/proofs/r2_" + "ab".repeat(16), "caduceus.privacy-officer caduceus.metrics"},
        };
        for (String[] api : apis) {
            String body = api[0].equals("POST") ? "{\"reason\":\"should not happen\",\"patientPseudonym\":\"pp1_x\"}" : null;
            assertThat(send(api[0], api[1], body, null).statusCode()).as("anonymous " + api[1]).isEqualTo(401);
            assertThat(send(api[0], api[1], body, api[2]).statusCode()).as(api[2] + " " + api[1]).isEqualTo(403);
        }
        assertThat(middleware.ingest().vault().getQuarantined(q)).as("nothing refused had an effect").isPresent();
        assertThat(send("GET", "/api/quarantine", null, "caduceus.operator").body()).contains(q)
                .as("not discarded by the refused call").doesNotContain("should not happen");
    }

    @Test
    @Order(2)
    void theFlowPageCountsMessagesAsTheyArriveAndTheSendersPageShowsLastSeen() throws Exception {
        assumeBrowser();
        signIn("caduceus.operator");
        browser.get(console("#flow"));
        await().atMost(Duration.ofSeconds(20)).until(() -> browser.script("return document.body.dataset.flowLoaded || null") != null);
        long before = received();
        try (MllpClient client = middleware.mllpClient()) {
            for (int i = 1; i <= 3; i++) {
                String control = "CON" + suffix + i;
                assertThat(MllpClient.ackCode(client.send(Hl7Messages.adt(control, "Consoletest")))).isEqualTo("AA");
                recordIds.add(middleware.recordIdOf(control));
            }
        }
        // The page polls every 2 s: the count moves without a reload.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(received()).isEqualTo(before + 3));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(String.valueOf(browser.script(
                "return document.querySelector('#flow-table tr[data-sender=\"" + SENDER
                        + "\"][data-type=\"ADT^A04\"]').children[3].textContent"))).isEqualTo("AA " + (before + 3)));
        browser.screenshot(SCREENSHOTS.resolve("flow.png"));

        browser.get(console("#senders"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(String.valueOf(browser.script(
                "const r = document.querySelector('#senders-table tr[data-sender=\"" + SENDER + "\"]');"
                        + " return r ? r.children[2].textContent : null;"))).startsWith("20"));
        browser.screenshot(SCREENSHOTS.resolve("senders.png"));
    }

    @Test
    @Order(3)
    void theQuarantinePageReprocessesDiscardsWithAReasonAndShowsContentOnlyToPrivacyOfficers() throws Exception {
        assumeBrowser();
        // A real rejection over MLLP (no mapping for ZZZ^Z01: AR, quarantined) ...
        try (MllpClient client = middleware.mllpClient()) {
            String ack = client.send("MSH|^~\\&|LAB|GENERAL|CADUCEUS|HUB|20261125101500||ZZZ^Z01|CONQ" + suffix
                    + "|P|2.5.1\rEVN|Z01|20261125101500\r");
            assertThat(MllpClient.ackCode(ack)).isEqualTo("AR");
        }
        String rejected = quarantineIdOf("LAB^GENERAL^CONQ" + suffix);
        // ... and a good message kept in the quarantine as one whose cause has since been fixed would be.
        String control = "CONR" + suffix;
        String fixable = middleware.ingest().vault().quarantine(SENDER + "^" + control, "AE 207: stored later",
                Hl7Messages.adt(control, "Consoletest").getBytes(StandardCharsets.ISO_8859_1), Instant.now()).quarantineId();

        signIn("caduceus.operator");
        browser.get(console("#quarantine"));
        waitForRow("#quarantine-table", fixable);
        browser.screenshot(SCREENSHOTS.resolve("quarantine.png"));

        browser.click("#quarantine-table tr[data-quarantine-id=\"" + fixable + "\"] button[data-action=reprocess]");
        await().atMost(Duration.ofSeconds(30)).until(() -> "reprocess:200".equals(browser.script("return document.body.dataset.lastAction || null")));
        assertThat(middleware.ingest().vault().getQuarantined(fixable)).as("accepted, it left the quarantine").isEmpty();
        assertThat(middleware.ingest().vault().contains(middleware.recordIdOf(control))).as("and is stored").isTrue();
        recordIds.add(middleware.recordIdOf(control));

        waitForRow("#quarantine-table", rejected);
        browser.type("#quarantine-table tr[data-quarantine-id=\"" + rejected + "\"] input[data-field=discard-reason]",
                "test feed, no mapping wanted");
        browser.click("#quarantine-table tr[data-quarantine-id=\"" + rejected + "\"] button[data-action=discard]");
        await().atMost(Duration.ofSeconds(30)).until(() -> "discard:200".equals(browser.script("return document.body.dataset.lastAction || null")));
        waitForRow("#discarded-table", rejected);
        assertThat(browser.text("#discarded-table tr[data-quarantine-id=\"" + rejected + "\"]"))
                .contains("test feed, no mapping wanted");
        assertThat(middleware.ingest().vault().getQuarantined(rejected)).as("a discarded message's bytes are kept").isPresent();
        assertThat(send("POST", "/api/quarantine/" + rejected + "/reprocess", "{}", "caduceus.operator").statusCode())
                .as("and it is not reprocessed").isEqualTo(409);

        // An operator may not read the content; a privacy officer may.
        browser.get(console("#quarantine"));
        waitForRow("#quarantine-table", quarantineIdOfAny());
        browser.click("#quarantine-table tbody tr button[data-action=content]");
        await().atMost(Duration.ofSeconds(30)).until(() -> "content:403".equals(browser.script("return document.body.dataset.lastAction || null")));
        HttpResponse<String> content = send("GET", "/api/quarantine/" + rejected + "/content", null, "caduceus.privacy-officer");
        assertThat(content.statusCode()).isEqualTo(200);
        assertThat(content.body()).contains("ZZZ^Z01");
        browser.screenshot(SCREENSHOTS.resolve("quarantine-after.png"));

        List<String> logged = accessLog(events -> events.containsAll(List.of("quarantine.reprocess:quarantine:" + fixable,
                "quarantine.discard:quarantine:" + rejected, "quarantine.content:quarantine:" + rejected)));
        assertThat(logged).as("every operator action is on the access log").contains(
                "quarantine.reprocess:quarantine:" + fixable, "quarantine.discard:quarantine:" + rejected,
                "quarantine.content:quarantine:" + rejected);
        assertThat(String.join("\n", logged)).as("the reason is not").doesNotContain("mapping wanted");
    }

    @Test
    @Order(4)
    void theTrackerShowsEachStageOfAMessageNamedBySenderAndControlId() throws Exception {
        assumeBrowser();
        signIn("caduceus.operator");
        browser.get(console("#track"));
        browser.type("#track-sender", SENDER);
        browser.type("#track-control", "CON" + suffix + "1");
        browser.click("#track-by-message button");
        await().atMost(Duration.ofSeconds(20)).until(() -> String.valueOf(browser.script(
                "return document.body.dataset.trackLoaded || null")).startsWith("200:"));
        assertThat(browser.text("#track-result tr[data-stage=received]")).contains("done");
        assertThat(browser.text("#track-result tr[data-stage=vault]")).contains("done");
        browser.screenshot(SCREENSHOTS.resolve("track.png"));
        assertThat(accessLog(events -> events.contains("message.track:" + recordIds.get(0))))
                .contains("message.track:" + recordIds.get(0));

        // By patient: privacy officers only; the pseudonym searched for is on the access log.
        String pseudonym = middleware.ingest().vault().get(recordIds.get(0)).orElseThrow().patientPseudonym();
        assertThat(send("POST", "/api/track/patient", "{\"patientPseudonym\":\"" + pseudonym + "\"}", "caduceus.operator")
                .statusCode()).isEqualTo(403);
        signIn("caduceus.privacy-officer");
        browser.get(console("#track"));
        browser.type("#track-pseudonym", pseudonym);
        browser.click("#track-by-patient button");
        await().atMost(Duration.ofSeconds(20)).until(() -> String.valueOf(browser.script(
                "return document.body.dataset.trackLoaded || null")).startsWith("200:"));
        assertThat(browser.text("#track-result")).contains("1 record(s) of patient " + pseudonym, recordIds.get(0));
        browser.screenshot(SCREENSHOTS.resolve("track-patient.png"));
        assertThat(accessLogPseudonyms()).contains("patient.track:" + pseudonym);
    }

    @Test
    @Order(5)
    void theProofPageVerifiesARealProofValidAndATamperedOneInvalidInTheBrowser() throws Exception {
        assumeBrowser();
        String rpcUrl = Devnet.property("ethereum.rpc.url");
        String recordId = recordIds.get(0);
        HttpService rpc = new HttpService(rpcUrl);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            // One confirmation needs a block after the anchor's: mine one in case nothing else does.
            VoidResponse mined = new Request<>("hardhat_mine", List.of("0x1"), rpc, VoidResponse.class).send();
            assertThat(mined.hasError()).isFalse();
            HttpResponse<String> proof = send("GET", "/api/proofs/" + recordId, null, "caduceus.operator");
            assertThat(proof.statusCode()).isEqualTo(200);
            assertThat(proof.body()).contains("\"anchor\"");
        });
        signIn("caduceus.operator");
        browser.get(console("#proof"));
        browser.type("#proof-record", recordId);
        browser.click("#proof-fetch button");
        await().atMost(Duration.ofSeconds(20)).until(() -> recordId.equals(browser.script("return document.body.dataset.proofLoaded || null")));
        browser.type("#proof-rpc", rpcUrl);
        browser.click("#proof-verify button");
        await().atMost(Duration.ofSeconds(30)).until(() -> browser.script("return document.body.dataset.verdict || null") != null);
        assertThat(browser.script("return document.body.dataset.verdict")).as(browser.text("#proof-verdict")).isEqualTo("valid");
        assertThat(browser.text("#proof-checks")).contains("on-chain-root passed", "anchor-transaction passed",
                "inclusion passed");
        browser.screenshot(SCREENSHOTS.resolve("proof-valid.png"));

        // One hex digit of the commitment changed: the leaf, so the path's root, no longer matches the chain.
        browser.script("const t = document.getElementById('proof-bundle'); window.realBundle = t.value;"
                + " const b = JSON.parse(t.value);"
                + " const v = b.commitment.value; b.commitment.value = (v[0] === 'a' ? 'b' : 'a') + v.slice(1);"
                + " t.value = JSON.stringify(b, null, 2);");
        browser.click("#proof-verify button");
        await().atMost(Duration.ofSeconds(30)).until(() -> "invalid".equals(browser.script("return document.body.dataset.verdict || null")));
        assertThat(browser.text("#proof-verdict")).startsWith("INVALID").contains("inclusion");
        browser.screenshot(SCREENSHOTS.resolve("proof-tampered.png"));

        // Nothing reachable at the RPC URL: could not decide, never valid.
        browser.script("document.getElementById('proof-bundle').value = window.realBundle;");
        browser.type("#proof-rpc", "http://127.0.0.1:" + InProcessMiddleware.freePort());
        browser.click("#proof-verify button");
        await().atMost(Duration.ofSeconds(30)).until(() -> "undecided".equals(browser.script("return document.body.dataset.verdict || null")));
        assertThat(browser.text("#proof-verdict")).startsWith("COULD NOT DECIDE").contains("could not be asked");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private void assumeBrowser() {
        Assumptions.assumeTrue(browser != null, () -> HeadlessChromium.missing().orElse("no browser"));
    }

    private void signIn(String scopes) throws Exception {
        browser.get(console(""));
        browser.type("#token", TestIssuer.token(scopes));
        browser.click("#sign-in");
    }

    private long received() throws Exception {
        Object text = browser.script("const r = document.querySelector('#flow-table tr[data-sender=\"" + SENDER
                + "\"][data-type=\"ADT^A04\"] td.received'); return r ? r.textContent : '0';");
        return Long.parseLong(String.valueOf(text));
    }

    private void waitForRow(String table, String quarantineId) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> Boolean.TRUE.equals(
                browser.script("return document.querySelector('" + table + " tr[data-quarantine-id=\"" + quarantineId
                        + "\"]') !== null")));
    }

    private String quarantineIdOf(String originalMessageId) {
        return middleware.ingest().vault().listQuarantined().stream()
                .filter(m -> m.originalMessageId().equals(originalMessageId)).findFirst().orElseThrow().quarantineId();
    }

    private String quarantineIdOfAny() throws Exception {
        Map<?, ?> listing = (Map<?, ?>) CanonicalJson.parse(send("GET", "/api/quarantine", null, "caduceus.operator").body());
        return String.valueOf(((Map<?, ?>) ((List<?>) listing.get("quarantined")).get(0)).get("quarantineId"));
    }

    /** "interaction:recordId" of each operator access event on the topic. */
    private List<String> accessLog(java.util.function.Predicate<List<String>> done) {
        List<String> seen = new ArrayList<>();
        KafkaTopicReader.readAll(Devnet.property("kafka.bootstrap.servers"), accessTopic, Duration.ofSeconds(30), records -> {
            seen.clear();
            for (ConsumerRecord<String, String> r : records) {
                Map<?, ?> event = (Map<?, ?>) CanonicalJson.parse(r.value());
                for (Object rec : (List<?>) event.get("records")) {
                    seen.add(event.get("interaction") + ":" + ((Map<?, ?>) rec).get("recordId"));
                }
                assertThat(event.get("purpose")).isEqualTo("HOPERAT");
            }
            return done.test(seen);
        });
        return seen;
    }

    /** "interaction:pseudonym" of each access event that names a patient. */
    private List<String> accessLogPseudonyms() {
        List<String> seen = new ArrayList<>();
        KafkaTopicReader.readAll(Devnet.property("kafka.bootstrap.servers"), accessTopic, Duration.ofSeconds(30), records -> {
            seen.clear();
            for (ConsumerRecord<String, String> r : records) {
                Map<?, ?> event = (Map<?, ?>) CanonicalJson.parse(r.value());
                for (Object p : (List<?>) event.get("patientPseudonyms")) {
                    seen.add(event.get("interaction") + ":" + p);
                }
            }
            return seen.stream().anyMatch(e -> e.startsWith("patient.track:"));
        });
        return seen;
    }

    private String console(String fragment) {
        return "http://127.0.0.1:" + middleware.httpPort() + "/console" + fragment;
    }

    private HttpResponse<String> send(String method, String path, String body, String scopes) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + middleware.httpPort() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (scopes != null) {
            TestIssuer.authorized(request, scopes);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
