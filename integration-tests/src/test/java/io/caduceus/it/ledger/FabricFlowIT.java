package io.caduceus.it.ledger;

import static io.caduceus.it.support.MiddlewareApi.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caduceus.ingest.ledger.CommitResult;
import io.caduceus.adapters.fabric.FabricConnection;
import io.caduceus.adapters.fabric.FabricGatewayConfig;
import io.caduceus.adapters.kafka.RecordMac;
import io.caduceus.core.domain.AnchorReceipt;
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
import io.caduceus.it.support.AnchoredProofs;
import io.caduceus.it.support.CanaryLog;
import io.caduceus.it.support.DevnetKafka;
import io.caduceus.it.support.Hardhat;
import io.caduceus.it.support.MiddlewareApi;
import io.caduceus.it.support.MiddlewareSettings;
import io.caduceus.verifier.ProofVerifier;
import io.caduceus.verifier.Verdict;
import io.caduceus.verifier.VerifierOptions;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flow the README draws, on the real devnet with a real Fabric network: HL7 v2 over MLLP into the middleware
 * (vault, Kafka), the ledger entries forwarded to the Fabric channel and committed with both organisations endorsing,
 * the bridge's Merkle log fed from what Fabric committed, the root anchored on hardhat, the receipt written back to
 * Fabric, and the auditor's verifier answering VALID. A bogus commitment written to the ledger for a known record is
 * refused by the bridge and shown, and the original proof stays valid. A patient's consent, granted and revoked
 * through the consent API on the ledger, decides user-scoped FHIR reads. Skipped with the devnet's reason where no Fabric
 * binaries are found.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka", "ethereum", "fabric"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FabricFlowIT {

    /** A surname nothing else uses: finding it in a log line outside the vault is a leak. */
    private static final String CANARY = "Zzyzxfabriccanary";
    private static final int MESSAGES = 5;
    private static final Duration DEADLINE = Duration.ofSeconds(180);

    @TempDir
    static Path work;

    private final String suffix = Long.toString(System.nanoTime());
    private final Map<String, String> overrides = MiddlewareSettings.of(
            MiddlewareSettings.ownTopics("fabric", suffix),
            MiddlewareSettings.ownFabric("fabric", suffix),
            MiddlewareSettings.quickAnchoring(1));

    private InProcessMiddleware middleware;
    private final MiddlewareApi api = MiddlewareApi.asOperator(() -> middleware.httpPort(), Duration.ofSeconds(20));
    private Hardhat hardhat;
    private String rpcUrl;
    private final List<String> ids = new ArrayList<>();
    private String firstBundle;

    private final CanaryLog logs = CanaryLog.watch(CANARY);

    @BeforeAll
    void start() throws Exception {
        rpcUrl = Devnet.property("ethereum.rpc.url");
        hardhat = Hardhat.ofDevnet();
        middleware = InProcessMiddleware.start(work, overrides);
    }

    @AfterAll
    void stop() {
        if (middleware != null) {
            middleware.close();
        }
        logs.assertNeverLogged();
    }

    @Test
    @Order(1)
    void acknowledgedMessagesAreCommittedToFabricLoggedAnchoredAndVerified() throws Exception {
        long ackedAt;
        try (MllpClient client = middleware.mllpClient()) {
            for (int i = 1; i <= MESSAGES; i++) {
                String controlId = controlId(i);
                String ack = client.send(Hl7Messages.adt(controlId, CANARY));
                assertThat(MllpClient.ackCode(ack)).as(ack).isEqualTo("AA");
                ids.add(middleware.recordIdOf(controlId));
            }
            ackedAt = System.nanoTime();
        }
        firstBundle = awaitAnchoredBundle(ids.get(0));
        long lagMillis = (System.nanoTime() - ackedAt) / 1_000_000;
        String record = new String(middleware.ingest().vault().get(ids.get(0)).orElseThrow().canonicalBundle(),
                StandardCharsets.UTF_8);
        Verdict verdict = ProofVerifier.verify(firstBundle, Optional.of(record), rpcUrl, VerifierOptions.defaults());
        assertThat(verdict.result()).as(verdict.toText()).isEqualTo(Verdict.Result.VALID);

        for (String id : ids) {
            Map<?, ?> entry = json(awaitStatus("/api/ledger/" + id, 200).body());
            Map<?, ?> committed = (Map<?, ?>) entry.get("committed");
            assertThat(committed.get("ledger")).isEqualTo("fabric");
            assertThat(committed.get("channel")).isEqualTo("caduceus");
            assertThat(((Number) committed.get("block")).longValue()).isPositive();
            assertThat(committed.get("transaction")).asString().matches("[0-9a-f]{64}");
            Map<?, ?> onLedger = (Map<?, ?>) committed.get("entry");
            assertThat(onLedger.get("recordId")).isEqualTo(id);
            assertThat(onLedger.get("messageType")).isEqualTo("ADT^A04");
            assertThat(onLedger.get("source")).isEqualTo("HIS^GENERAL");
            assertThat(onLedger.get("commitment")).isEqualTo(entry.get("commitment"));
            assertThat(onLedger.get("aboutAPatient")).isEqualTo(Boolean.TRUE);
            assertThat(entry.toString()).doesNotContain("pp1_");
            Map<?, ?> batch = (Map<?, ?>) committed.get("batch");
            assertThat(((Number) batch.get("count")).longValue()).isBetween(1L, (long) MESSAGES);
            assertThat(batch.get("submitter")).isEqualTo("HospitalMSP");
        }
        Map<?, ?> status = json(get("/api/ledger").body());
        assertThat(status.get("enabled")).isEqualTo(Boolean.TRUE);
        Map<?, ?> heights = (Map<?, ?>) status.get("peerHeights");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(((Map<?, ?>) json(get("/api/ledger")
                .body()).get("peerHeights")).values()).hasSize(2).allSatisfy(h -> assertThat(h).isInstanceOf(Number.class)));
        Map<?, ?> forwarding = (Map<?, ?>) status.get("kafkaToFabric");
        assertThat(((Number) forwarding.get("committed")).longValue()).isGreaterThanOrEqualTo(MESSAGES);
        assertThat(((Number) forwarding.get("deadLettered")).longValue()).isZero();
        Map<?, ?> feed = (Map<?, ?>) json(get("/api/anchoring").body()).get("feed");
        assertThat(feed.get("source")).isEqualTo("fabric");
        System.out.println("FabricFlowIT: last ACK -> anchored proof (1 confirmation) " + lagMillis + " ms; peers "
                + heights + "; forwarding " + CanonicalJson.write(forwarding));
    }

    @Test
    @Order(2)
    void theAnchorReceiptIsWrittenBackToFabricAndTheRecordIsFoundBySenderAndControlId() throws Exception {
        AnchorReceipt anchored = ProofBundle.fromJson(firstBundle).anchor().orElseThrow();
        try (FabricConnection auditor = FabricConnection.open(
                FabricGatewayConfig.fromProperties(Devnet.connection(), "auditor"))) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    auditor.ledgerWriter().latestAnchorReceipt()).hasValueSatisfying(r ->
                    assertThat(r.treeSize()).isGreaterThanOrEqualTo(anchored.treeSize())));
        }
        HttpResponse<String> bySender = get("/api/ledger/by-message?sender=HIS%5EGENERAL&controlId="
                + controlId(2));
        assertThat(bySender.statusCode()).as(bySender.body()).isEqualTo(200);
        assertThat(json(bySender.body()).get("recordId")).isEqualTo(ids.get(1));
        assertThat(get("/api/ledger/by-message?sender=HIS%5EGENERAL").statusCode()).isEqualTo(400);
        assertThat(get("/api/ledger/r_00000000000000000000000000000000").statusCode()).isEqualTo(404);
    }

    @Test
    @Order(3)
    void aBogusCommitmentForAKnownRecordWrittenToTheLedgerIsRefusedByTheBridgeAndTheProofStaysValid() throws Exception {
        RecordId victim = new RecordId(ids.get(2));
        LedgerEntry bogus = new LedgerEntry(victim, Sha256.digest("forged".getBytes(StandardCharsets.UTF_8)),
                "ADT^A04", new SourceSystem("HIS", "GENERAL"), Instant.now(), Optional.empty());
        CommitResult committed;
        try (FabricConnection writer = FabricConnection.open(
                FabricGatewayConfig.fromProperties(Devnet.connection(), "hospital"))) {
            committed = writer.ledgerWriter().putEntries(List.of(bogus));
        }
        assertThat(committed.validationCode()).isEqualTo("VALID");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<?, ?> feed = (Map<?, ?>) json(get("/api/anchoring").body()).get("feed");
            assertThat(((Number) feed.get("conflicts")).longValue()).isGreaterThanOrEqualTo(1);
            assertThat(feed.get("latestConflicts").toString()).contains(victim.value());
        });
        Map<?, ?> entry = json(get("/api/ledger/" + victim.value()).body());
        assertThat(entry.get("commitment")).as("the first commitment stands")
                .isNotEqualTo(bogus.commitment().hex());
        String bundle = awaitAnchoredBundle(victim.value());
        String record = new String(middleware.ingest().vault().get(victim.value()).orElseThrow().canonicalBundle(),
                StandardCharsets.UTF_8);
        assertThat(ProofVerifier.verify(bundle, Optional.of(record), rpcUrl, VerifierOptions.defaults()).result())
                .isEqualTo(Verdict.Result.VALID);
    }

    @Test
    @Order(4)
    void accessEventsOfReadsGoToTheLedgerAndOneTheChaincodeRefusesGoesToTheDeadLetterTopic() throws Exception {
        String topic = "it.fabric.access-events." + suffix;
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add("{\"accessId\":\"" + java.util.UUID.randomUUID() + "\",\"accessedAt\":\"" + Instant.now()
                    + "\",\"basis\":\"scope\",\"callerIdHash\":\"" + Sha256.digest(("client" + i)
                    .getBytes(StandardCharsets.UTF_8)).hex() + "\",\"interaction\":\"read\",\"patientPseudonyms\":[],"
                    + "\"purpose\":\"TREATMENT\",\"records\":[{\"integrity\":\"verified\",\"recordId\":\""
                    + ids.get(i) + "\"}]}");
        }
        events.add("{\"accessId\":\"not an access event\"}");
        try (var producer = DevnetKafka.producer()) {
            // Written as the middleware writes them, with its key ...
            for (String event : events) {
                var headers = new org.apache.kafka.common.header.internals.RecordHeaders();
                headers.add(RecordMac.HEADER, middleware.recordMac().header(RecordMac.Stream.ACCESS_EVENTS,
                        event.getBytes(StandardCharsets.UTF_8)));
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<String, String>(topic, null,
                        (String) null, event, headers)).get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            // ... and an invented read by a stranger on the topic, without it.
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, events.get(0)
                    .replace(ids.get(0), ids.get(1)))).get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            Map<?, ?> accessLog = (Map<?, ?>) json(get("/api/ledger").body()).get("accessLog");
            assertThat(((Number) accessLog.get("committed")).longValue()).as(accessLog.toString()).isEqualTo(3);
            assertThat(((Number) accessLog.get("deadLettered")).longValue()).isEqualTo(1);
            assertThat(((Number) accessLog.get("refusedUnauthenticated")).longValue()).isEqualTo(1);
        });
        String transaction = (String) ((Map<?, ?>) json(get("/api/ledger").body()).get("accessLog")).get("lastTransaction");
        try (FabricConnection auditor = FabricConnection.open(
                FabricGatewayConfig.fromProperties(Devnet.connection(), "auditor"))) {
            assertThat(auditor.ledgerWriter().accessBatch(transaction)).hasValueSatisfying(batch ->
                    assertThat(batch).contains("\"submitter\":\"HospitalMSP\"", "\"count\":1"));
        }
    }

    @Test
    @Order(5)
    void aStrangersEntryForAFutureRecordIsDeadLetteredNotPutOnFabricAndTheRealRecordIsValid() throws Exception {
        String controlId = controlId(50);
        RecordId future = new RecordId(middleware.recordIdOf(controlId));
        LedgerEntry bogus = new LedgerEntry(future, Sha256.digest("forged".getBytes(StandardCharsets.UTF_8)),
                "ADT^A04", new SourceSystem("HIS", "GENERAL"), Instant.now(), Optional.empty());
        long refusedBefore = ((Number) ((Map<?, ?>) json(get("/api/ledger").body()).get("kafkaToFabric"))
                .get("refusedUnauthenticated")).longValue();
        try (var stranger = DevnetKafka.producer()) {
            stranger.send(new org.apache.kafka.clients.producer.ProducerRecord<>(overrides.get(
                    "caduceus.kafka.topic.ledger-entries"), future.value(), bogus.toJson()))
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(((Number) ((Map<?, ?>) json(
                get("/api/ledger").body()).get("kafkaToFabric")).get("refusedUnauthenticated")).longValue())
                .isEqualTo(refusedBefore + 1));
        assertThat(get("/api/ledger/" + future.value()).statusCode()).as("not on Fabric, not in the log").isEqualTo(404);

        try (MllpClient client = middleware.mllpClient()) {
            assertThat(MllpClient.ackCode(client.send(Hl7Messages.adt(controlId, CANARY)))).isEqualTo("AA");
        }
        String bundle = awaitAnchoredBundle(future.value());
        String record = new String(middleware.ingest().vault().get(future.value()).orElseThrow().canonicalBundle(),
                StandardCharsets.UTF_8);
        assertThat(ProofVerifier.verify(bundle, Optional.of(record), rpcUrl, VerifierOptions.defaults()).result())
                .isEqualTo(Verdict.Result.VALID);
        Map<?, ?> entry = json(awaitStatus("/api/ledger/" + future.value(), 200).body());
        assertThat(((Map<?, ?>) ((Map<?, ?>) entry.get("committed")).get("entry")).get("commitment"))
                .isNotEqualTo(bogus.commitment().hex());
        List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> dead = io.caduceus.it.KafkaTopicReader
                .readAll(Devnet.property("kafka.bootstrap.servers"), "caduceus.ledger-entries.dead-letter",
                        Duration.ofSeconds(20), records -> records.stream().anyMatch(r -> future.value().equals(r.key())));
        assertThat(dead).filteredOn(r -> future.value().equals(r.key())).singleElement().satisfies(r ->
                assertThat(new String(r.headers().lastHeader("caduceus.refusal").value(), StandardCharsets.UTF_8))
                        .isEqualTo("UNAUTHENTICATED"));
    }

    @Test
    @Order(6)
    void aUserScopedReadNeedsThePatientsConsentGrantedAndRevokedThroughTheConsentApiOnTheLedger() throws Exception {
        String system = "urn:oid:1.2.36.146.595.217.0.1";
        String mrn = "MRN-CONSENT-" + suffix;
        String patient = "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + system + "\",\"value\":\""
                + mrn + "\"}],\"name\":[{\"family\":\"" + CANARY + "\"}],\"gender\":\"female\"}";
        HttpResponse<String> created = send("POST", "/fhir/Patient", patient, "application/fhir+json",
                "system/Patient.write");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String path = "/fhir/Patient/" + new RecordId(created.headers().firstValue("X-Caduceus-Record-Id").orElseThrow()).hex();
        String patientFields = "\"identifierSystem\":\"" + system + "\",\"identifierValue\":\"" + mrn + "\"";

        // No grant: a person acting through an app (user/ scopes) is refused; a backend (system/ scopes) is not.
        HttpResponse<String> refused = send("GET", path, null, null, "user/*.read");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(refused.body()).contains("consent").doesNotContain(CANARY).doesNotContain(mrn);
        assertThat(send("GET", path, null, null, "system/*.read").statusCode()).isEqualTo(200);

        HttpResponse<String> granted = send("POST", "/api/consents", "{" + patientFields
                + ",\"grantee\":\"it-client\",\"expiresAt\":\"" + Instant.now().plus(Duration.ofHours(1)) + "\"}",
                "application/json", "caduceus.privacy-officer");
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(201);
        assertThat(granted.body()).doesNotContain(mrn).doesNotContain("pp1_");
        assertThat((String) json(granted.body()).get("transactionId")).matches("[0-9a-f]{64}");

        HttpResponse<String> read = send("GET", path, null, null, "user/*.read");
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        assertThat(read.body()).contains(CANARY);
        assertThat(send("GET", path + "/$everything", null, null, "user/*.read").statusCode()).isEqualTo(200);
        HttpResponse<String> check = send("POST", "/api/consents/check", "{" + patientFields
                + ",\"grantee\":\"it-client\"}", "application/json", "caduceus.auditor");
        assertThat(json(check.body()).get("allowed")).as(check.body()).isEqualTo(Boolean.TRUE);

        HttpResponse<String> revoked = send("POST", "/api/consents/revoke", "{" + patientFields
                + ",\"grantee\":\"it-client\"}", "application/json", "caduceus.privacy-officer");
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        assertThat(json(revoked.body()).get("revokedAt")).as(revoked.body()).isNotNull();
        // This instance forgets its kept answer at once; another would within caduceus.fhir.read.consent.cache-ms.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(send("GET", path, null, null, "user/*.read").statusCode()).isEqualTo(403));
        assertThat(send("GET", path + "/$everything", null, null, "user/*.read").statusCode()).isEqualTo(403);

        HttpResponse<String> nothing = send("POST", "/api/consents/revoke", "{" + patientFields
                + ",\"grantee\":\"never-granted\"}", "application/json", "caduceus.privacy-officer");
        assertThat(nothing.statusCode()).as(nothing.body()).isEqualTo(404);
    }

    @Test
    @Order(7)
    void switchedToTheKafkaFedBridgeOnTheSameDataTheLogGoesOnFromTheTopic() throws Exception {
        middleware.close();
        Map<String, String> withoutFabric = new java.util.HashMap<>(overrides);
        withoutFabric.put(InProcessMiddleware.FABRIC_ENABLED, "false");
        middleware = InProcessMiddleware.start(work, withoutFabric);

        String controlId = controlId(99);
        try (MllpClient client = middleware.mllpClient()) {
            assertThat(MllpClient.ackCode(client.send(Hl7Messages.adt(controlId, CANARY)))).isEqualTo("AA");
        }
        String id = middleware.recordIdOf(controlId);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> entry = get("/api/ledger/" + id);
            assertThat(entry.statusCode()).as(entry.body()).isEqualTo(200);
            assertThat(((Map<?, ?>) json(entry.body()).get("committed")).get("ledger")).isEqualTo("kafka");
        });
        Map<?, ?> feed = (Map<?, ?>) json(get("/api/anchoring").body()).get("feed");
        assertThat(feed.get("source")).isEqualTo("kafka");
        assertThat(feed.get("problem")).isNull();
        assertThat(json(get("/api/ledger/" + ids.get(0)).body()).get("leafIndex"))
                .as("records the Fabric feed logged keep their leaves").isNotNull();
        assertThat(json(get("/api/ledger").body()).get("enabled")).isEqualTo(Boolean.FALSE);
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private String controlId(int i) {
        return "FAB-" + suffix.substring(suffix.length() - 8) + "-" + i;
    }

    private String awaitAnchoredBundle(String recordId) throws Exception {
        return AnchoredProofs.mining(api, hardhat).await(recordId, AnchoredProofs.coveringTheRecord(), DEADLINE);
    }

    private HttpResponse<String> awaitStatus(String path, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<String> response = get(path);
        while (response.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(250);
            response = get(path);
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return response;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return api.get(path);
    }

    private HttpResponse<String> send(String method, String path, String body, String contentType, String scopes)
            throws Exception {
        HttpRequest.Builder request = TestIssuer.authorized(HttpRequest.newBuilder(api.uri(path)), scopes)
                .timeout(Duration.ofSeconds(20));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return api.http().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
