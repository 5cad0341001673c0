package io.caduceus.it.anchor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caduceus.adapters.kafka.RecordMac;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.hash.Sha256;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.proof.ProofBundle;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.Hl7Messages;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.MllpClient;
import io.caduceus.it.TestIssuer;
import io.caduceus.verifier.ProofVerifier;
import io.caduceus.verifier.Verdict;
import io.caduceus.verifier.VerifierOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.methods.response.VoidResponse;
import org.web3j.protocol.http.HttpService;

/**
 * A stranger who can write to the ledger-entry topic (no Fabric: the bridge follows the topic) posts bogus
 * commitments for a record id that does not exist yet, one without a MAC and one with a MAC under a key of its own.
 * Then the real message arrives over MLLP: the feed refused both bogus entries (counted, not in the Merkle log), the
 * real record was logged and anchored, and the auditor's verifier says VALID.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka", "ethereum"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LedgerEntryAuthenticationIT {

    private static final Duration ANCHOR_DEADLINE = Duration.ofSeconds(120);

    @TempDir
    static Path work;

    private final String suffix = Long.toString(System.nanoTime());
    private final String topic = "it.auth.ledger-entries." + suffix;
    private InProcessMiddleware middleware;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private HttpService rpc;
    private String rpcUrl;

    @BeforeAll
    void start() throws Exception {
        rpcUrl = Devnet.property("ethereum.rpc.url");
        rpc = new HttpService(rpcUrl);
        middleware = InProcessMiddleware.start(work, Map.of(
                "caduceus.kafka.topic.ledger-entries", topic,
                "caduceus.kafka.topic.quarantine", "it.auth.quarantine." + suffix,
                "caduceus.anchor.devnet-bootstrap", "true",
                "caduceus.anchor.max-entries", "1",
                "caduceus.anchor.max-interval-ms", "1000",
                "caduceus.anchor.tick-ms", "250",
                "caduceus.anchor.confirmations", "1",
                "caduceus.anchor.feed.poll-ms", "200"));
    }

    @AfterAll
    void stop() {
        if (middleware != null) {
            middleware.close();
        }
    }

    @Test
    void bogusEntriesForAFutureRecordAreRefusedAndTheRealRecordIsAnchoredAndValid() throws Exception {
        String controlId = "AUTH-" + suffix.substring(suffix.length() - 8);
        // With keyed record ids a stranger cannot even compute this id; the MAC check holds without that.
        RecordId future = new RecordId(middleware.recordIdOf(controlId));
        LedgerEntry bogus = new LedgerEntry(future, Sha256.digest("forged".getBytes(StandardCharsets.UTF_8)),
                "ADT^A04", new SourceSystem("HIS", "GENERAL"), Instant.now(), Optional.empty());
        RecordMac strangersKey = RecordMac.withKeys(Sha256.digest("a stranger's key".getBytes(StandardCharsets.UTF_8))
                .toBytes(), List.of());
        RecordHeaders forged = new RecordHeaders();
        forged.add(RecordMac.HEADER, strangersKey.header(RecordMac.Stream.LEDGER_ENTRIES, bogus.toJsonBytes()));
        try (KafkaProducer<String, String> stranger = new KafkaProducer<>(Map.of(
                "bootstrap.servers", Devnet.property("kafka.bootstrap.servers"),
                "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
                "value.serializer", "org.apache.kafka.common.serialization.StringSerializer",
                "max.block.ms", "10000"))) {
            stranger.send(new ProducerRecord<>(topic, future.value(), bogus.toJson())).get(10, TimeUnit.SECONDS);
            stranger.send(new ProducerRecord<>(topic, null, future.value(), bogus.toJson(), forged))
                    .get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(((Number) feed()
                .get("refusedUnauthenticated")).longValue()).isEqualTo(2));
        assertThat(get("/api/ledger/" + future.value()).statusCode()).as("the bogus entries are not in the log")
                .isEqualTo(404);

        try (MllpClient client = middleware.mllpClient()) {
            String ack = client.send(Hl7Messages.adt(controlId, "Zzyzxauthcanary"));
            assertThat(MllpClient.ackCode(ack)).as(ack).isEqualTo("AA");
        }
        String bundle = awaitAnchoredBundle(future.value());
        String record = new String(middleware.ingest().vault().get(future.value()).orElseThrow().canonicalBundle(),
                StandardCharsets.UTF_8);
        Verdict verdict = ProofVerifier.verify(bundle, Optional.of(record), rpcUrl, VerifierOptions.defaults());
        assertThat(verdict.result()).as(verdict.toText()).isEqualTo(Verdict.Result.VALID);

        Map<?, ?> feed = feed();
        assertThat(((Number) feed.get("conflicts")).longValue()).as("the real entry met no bogus one").isZero();
        assertThat(((Number) feed.get("refusedUnauthenticated")).longValue()).isEqualTo(2);
        Map<?, ?> entry = json(get("/api/ledger/" + future.value()).body());
        assertThat(entry.get("commitment")).isNotEqualTo(bogus.commitment().hex());
        System.out.println("LedgerEntryAuthenticationIT: feed " + CanonicalJson.write(feed));
    }

    @Test
    void theTrackerFollowsAMessageToItsAnchorAndFindsARefusedOneInQuarantine() throws Exception {
        String controlId = "TRACK-" + suffix.substring(suffix.length() - 8);
        try (MllpClient client = middleware.mllpClient()) {
            assertThat(MllpClient.ackCode(client.send(Hl7Messages.adt(controlId, "Zzyzxtrackcanary")))).isEqualTo("AA");
            // The control id again with other content: refused and kept in quarantine beside the stored record.
            assertThat(MllpClient.ackCode(client.send(Hl7Messages.adt(controlId, "Zzyzxothercanary")))).isEqualTo("AE");
        }
        String recordId = middleware.recordIdOf(controlId);
        awaitAnchoredBundle(recordId);

        Map<?, ?> tracked = awaitTrack("/api/track/by-message?sender=HIS%5EGENERAL&controlId=" + controlId, "anchor", "done");
        assertThat(tracked.get("recordId")).isEqualTo(recordId);
        assertThat(state(tracked, "received")).containsEntry("state", "done").containsKey("at");
        assertThat(state(tracked, "vault")).containsEntry("state", "done");
        assertThat(state(tracked, "ledger")).containsEntry("state", "done");
        Map<?, ?> entry = json(get("/api/ledger/" + recordId).body());
        assertThat(state(tracked, "merkle")).containsEntry("state", "done")
                .containsEntry("leafIndex", entry.get("leafIndex"));
        Map<?, ?> anchor = state(tracked, "anchor");
        assertThat(anchor.get("transactionHash")).asString().startsWith("0x");
        assertThat(((Number) anchor.get("confirmations")).longValue()).as("counted against the chain's head").isPositive();
        assertThat(state(json(get("/api/track/" + recordId).body()), "merkle")).as("by record id, the same stages")
                .containsEntry("leafIndex", entry.get("leafIndex"));

        assertThat((List<?>) state(tracked, "quarantine").get("entries")).as("the refused second message").hasSize(1);
        assertThat(CanonicalJson.write(tracked)).as("ids, positions and times only")
                .doesNotContain("Zzyzxtrackcanary").doesNotContain("Zzyzxothercanary");

        HttpResponse<String> unknown = get("/api/track/by-message?sender=HIS%5EGENERAL&controlId=NEVER-SENT-" + suffix);
        assertThat(unknown.statusCode()).isEqualTo(404);
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + middleware.httpPort() + "/api/track/" + recordId)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    private Map<?, ?> awaitTrack(String path, String stage, String wanted) throws Exception {
        long deadline = System.nanoTime() + ANCHOR_DEADLINE.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = get(path);
            last = response.statusCode() + " " + response.body();
            if (response.statusCode() == 200) {
                Map<?, ?> answer = json(response.body());
                if (wanted.equals(state(answer, stage).get("state"))) {
                    return answer;
                }
            }
            mine();
            Thread.sleep(250);
        }
        throw new AssertionError("stage " + stage + " not " + wanted + " within " + ANCHOR_DEADLINE + "; last answer " + last);
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> state(Map<?, ?> tracked, String stage) {
        return ((List<?>) tracked.get("stages")).stream().map(s -> (Map<Object, Object>) s)
                .filter(s -> stage.equals(s.get("stage"))).findFirst()
                .orElseThrow(() -> new AssertionError("no stage " + stage + " in " + tracked));
    }

    private Map<?, ?> feed() throws Exception {
        return (Map<?, ?>) json(get("/api/anchoring").body()).get("feed");
    }

    private String awaitAnchoredBundle(String recordId) throws Exception {
        long deadline = System.nanoTime() + ANCHOR_DEADLINE.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = get("/api/proofs/" + recordId + "?includeSalt=true");
            last = response.statusCode() + " " + response.body();
            if (response.statusCode() == 200 && ProofBundle.fromJson(response.body()).anchor().isPresent()) {
                return response.body();
            }
            mine();
            Thread.sleep(250);
        }
        throw new AssertionError("no anchored proof within " + ANCHOR_DEADLINE + "; last answer " + last
                + "; status " + get("/api/anchoring").body());
    }

    private void mine() throws Exception {
        VoidResponse response = new Request<>("hardhat_mine", List.of("0x1"), rpc, VoidResponse.class).send();
        assertThat(response.hasError()).as("hardhat_mine").isFalse();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(TestIssuer.asOperator(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + middleware.httpPort() + path)))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<?, ?> json(String body) {
        return (Map<?, ?>) CanonicalJson.parse(body);
    }
}
