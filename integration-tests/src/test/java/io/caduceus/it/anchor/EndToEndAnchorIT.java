package io.caduceus.it.anchor;

import static io.caduceus.it.support.MiddlewareApi.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.adapters.ethereum.AnchorRegistryClient;
import io.caduceus.adapters.ethereum.AnchorRegistryConfig;
import io.caduceus.adapters.ethereum.EthereumEndpoint;
import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.merkle.ConsistencyProof;
import io.caduceus.core.merkle.MerkleProofs;
import io.caduceus.core.proof.ProofBundle;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.Hl7Messages;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.MllpClient;
import io.caduceus.it.support.AnchoredProofs;
import io.caduceus.it.support.CanaryLog;
import io.caduceus.it.support.DevnetKafka;
import io.caduceus.it.support.Hardhat;
import io.caduceus.it.support.MiddlewareApi;
import io.caduceus.it.support.MiddlewareSettings;
import io.caduceus.verifier.ProofVerifier;
import io.caduceus.verifier.Verdict;
import io.caduceus.verifier.VerifierOptions;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The whole chain on the real devnet: HL7 v2 over MLLP into the running middleware (vault, Kafka), the bridge fed
 * from Kafka, its root anchored on hardhat and confirmed, a proof bundle from the REST API, and the auditor's
 * verifier answering VALID for the vault's record and INVALID for every tampering. Then a restart on the same data:
 * a new message is anchored at a larger size, and the log's consistency proof links both on-chain roots.
 *
 * <p>The anchoring key and the registry come from the middleware's devnet bootstrap (key generated into an
 * encrypted keystore, funded from the devnet account, registry deployed), as with {@code ./caduceus up}.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka", "ethereum"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndAnchorIT {

    /** A surname nothing else uses: finding it in a log line outside the vault is a leak. */
    private static final String CANARY = "Zzyzxanchorcanary";
    private static final int CONFIRMATIONS = 2;
    private static final int FIRST_BATCH = 3;
    private static final Duration ANCHOR_DEADLINE = Duration.ofSeconds(120);

    @TempDir
    static Path work;

    private final String suffix = Long.toString(System.nanoTime());
    private final Map<String, String> overrides = MiddlewareSettings.of(
            MiddlewareSettings.ownTopics("anchor", suffix),
            MiddlewareSettings.quickAnchoring(CONFIRMATIONS),
            Map.of("caduceus.anchor.feed.poll-ms", "200"));

    private InProcessMiddleware middleware;
    private final MiddlewareApi api = MiddlewareApi.asOperator(() -> middleware.httpPort(), Duration.ofSeconds(10));
    private Hardhat hardhat;
    private Web3j web3j;
    private String rpcUrl;

    // Carried from one ordered step to the next.
    private String firstId;
    private String firstBundle;
    private String firstRecord;

    private final CanaryLog logs = CanaryLog.watch(CANARY);

    @BeforeAll
    void start() throws Exception {
        rpcUrl = Devnet.property("ethereum.rpc.url");
        hardhat = Hardhat.ofDevnet();
        web3j = Web3j.build(hardhat.rpc());
        middleware = InProcessMiddleware.start(work, overrides);
    }

    @AfterAll
    void stop() {
        if (middleware != null) {
            middleware.close();
        }
        if (web3j != null) {
            web3j.shutdown();
        }
        logs.assertNeverLogged();
    }

    @Test
    @Order(1)
    void anAcknowledgedMessageGetsAnAnchoredProofThatTheAuditorVerifiesAsValid() throws Exception {
        List<String> ids = new ArrayList<>();
        long ackedAt;
        try (MllpClient client = middleware.mllpClient()) {
            for (int i = 1; i <= FIRST_BATCH; i++) {
                String controlId = "E2E-" + suffix.substring(suffix.length() - 8) + "-" + i;
                String ack = client.send(Hl7Messages.adt(controlId, CANARY));
                assertThat(MllpClient.ackCode(ack)).as(ack).isEqualTo("AA");
                ids.add(middleware.recordIdOf(controlId));
            }
            ackedAt = System.nanoTime();
        }
        firstId = ids.get(0);
        // A tree of at least three leaves, so the bundle has an audit path to tamper with.
        firstBundle = awaitAnchoredBundle(firstId, FIRST_BATCH);
        long lagMillis = (System.nanoTime() - ackedAt) / 1_000_000;
        ProofBundle bundle = ProofBundle.fromJson(firstBundle);
        AnchorReceipt anchor = bundle.anchor().orElseThrow();
        assertThat(bundle.salt()).as("includeSalt=true releases the salt").isPresent();
        assertThat(bundle.inclusion().auditPath()).isNotEmpty();
        firstRecord = new String(middleware.ingest().vault().get(firstId).orElseThrow().canonicalBundle(),
                StandardCharsets.UTF_8);

        Verdict verdict = verify(firstBundle, firstRecord);
        assertThat(verdict.result()).as(verdict.toText()).isEqualTo(Verdict.Result.VALID);

        TransactionReceipt receipt = web3j.ethGetTransactionReceipt(anchor.transactionHash()).send()
                .getTransactionReceipt().orElseThrow();
        System.out.println("EndToEndAnchorIT: anchoring lag (last ACK -> proof with an anchor confirmed by "
                + CONFIRMATIONS + " blocks, mined on demand) " + lagMillis + " ms; anchor of tree size "
                + anchor.treeSize() + " in block " + anchor.blockNumber() + ", gas used " + receipt.getGasUsed()
                + "; registry " + anchor.contractAddress());

        // The status endpoint agrees.
        Map<?, ?> status = json(get("/api/anchoring").body());
        assertThat(((Number) status.get("lastAnchoredSize")).longValue()).isGreaterThanOrEqualTo(anchor.treeSize());
        assertThat(((Map<?, ?>) status.get("chain")).get("connected")).isEqualTo(Boolean.TRUE);
    }

    @Test
    @Order(2)
    void oneChangedByteOfTheRecordIsInvalid() {
        int at = firstRecord.indexOf("\"Bundle\"") + 1;
        assertThat(at).isPositive();
        String tampered = firstRecord.substring(0, at) + 'C' + firstRecord.substring(at + 1);
        Verdict verdict = verify(firstBundle, tampered);
        assertThat(verdict.result()).as(verdict.toText()).isEqualTo(Verdict.Result.INVALID);
    }

    @Test
    @Order(3)
    void oneChangedByteInAnAuditPathHashIsInvalid() {
        ProofBundle bundle = ProofBundle.fromJson(firstBundle);
        for (Digest d : bundle.inclusion().auditPath()) {
            String hex = d.hex();
            String flipped = (hex.charAt(0) == '0' ? '1' : '0') + hex.substring(1);
            Verdict verdict = verify(firstBundle.replace(hex, flipped), firstRecord);
            assertThat(verdict.result()).as(verdict.toText()).isEqualTo(Verdict.Result.INVALID);
        }
    }

    @Test
    @Order(4)
    void unknownAndMalformedIdsAreRefused() throws Exception {
        assertThat(get("/api/proofs/r_00000000000000000000000000000000").statusCode()).isEqualTo(404);
        assertThat(get("/api/proofs/not-an-id").statusCode()).isEqualTo(400);
        assertThat(get("/api/proofs/consistency?from=2&to=1").statusCode()).isEqualTo(400);
        // Without includeSalt the bundle proves the commitment was logged and anchored, nothing more.
        HttpResponse<String> plain = get("/api/proofs/" + firstId);
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(ProofBundle.fromJson(plain.body()).salt()).isEmpty();
    }

    @Test
    @Order(5)
    void afterARestartANewMessageIsAnchoredAtALargerSizeConsistentWithTheFirstAnchor() throws Exception {
        AnchorReceipt first = ProofBundle.fromJson(awaitAnchoredBundle(firstId, FIRST_BATCH)).anchor().orElseThrow();
        restart();

        String controlId = "E2E-" + suffix.substring(suffix.length() - 8) + "-after-restart";
        long ackedAt;
        try (MllpClient client = middleware.mllpClient()) {
            String ack = client.send(Hl7Messages.adt(controlId, CANARY));
            assertThat(MllpClient.ackCode(ack)).as(ack).isEqualTo("AA");
            ackedAt = System.nanoTime();
        }
        String id = middleware.recordIdOf(controlId);
        String secondBundle = awaitAnchoredBundle(id, first.treeSize() + 1);
        long lagMillis = (System.nanoTime() - ackedAt) / 1_000_000;
        AnchorReceipt second = ProofBundle.fromJson(secondBundle).anchor().orElseThrow();
        assertThat(second.contractAddress()).as("the remembered registry is reused").isEqualTo(first.contractAddress());
        assertThat(second.treeSize()).isGreaterThan(first.treeSize());
        String record = new String(middleware.ingest().vault().get(id).orElseThrow().canonicalBundle(),
                StandardCharsets.UTF_8);
        assertThat(verify(secondBundle, record).result()).isEqualTo(Verdict.Result.VALID);
        // The first record was not appended again: still the same leaf.
        assertThat(ProofBundle.fromJson(awaitAnchoredBundle(firstId, second.treeSize())).inclusion().leafIndex())
                .isEqualTo(ProofBundle.fromJson(firstBundle).inclusion().leafIndex());

        Map<?, ?> answer = json(get("/api/proofs/consistency?from=" + first.treeSize() + "&to=" + second.treeSize()).body());
        List<Digest> path = new ArrayList<>();
        for (Object o : (List<?>) answer.get("path")) {
            path.add(Digest.fromHex(o.toString()));
        }
        ConsistencyProof proof = new ConsistencyProof(((Number) answer.get("firstSize")).longValue(),
                ((Number) answer.get("secondSize")).longValue(), path);
        Digest firstOnChain;
        Digest secondOnChain;
        EthereumEndpoint endpoint = new EthereumEndpoint(URI.create(rpcUrl),
                Long.parseLong(Devnet.property("ethereum.chain.id")), Duration.ofSeconds(10));
        Credentials reader = Credentials.create(Keys.createEcKeyPair());
        try (AnchorRegistryClient registry = AnchorRegistryClient.connect(
                AnchorRegistryConfig.of(endpoint, first.contractAddress()), reader)) {
            firstOnChain = Digest.of(registry.rootAt(first.treeSize()));
            secondOnChain = Digest.of(registry.rootAt(second.treeSize()));
        }
        assertThat(firstOnChain).isEqualTo(first.root());
        assertThat(secondOnChain).isEqualTo(second.root());
        assertThat(MerkleProofs.verifyConsistency(proof, firstOnChain, secondOnChain))
                .as("the log at size %d extends the anchored log at size %d", second.treeSize(), first.treeSize())
                .isTrue();

        // A bundle whose root is swapped for the other real, anchored root proves nothing.
        String swapped = firstBundle.replace(first.root().hex(), second.root().hex());
        Verdict verdict = verify(swapped, firstRecord);
        assertThat(verdict.result()).as(verdict.toText()).isEqualTo(Verdict.Result.INVALID);

        TransactionReceipt receipt = web3j.ethGetTransactionReceipt(second.transactionHash()).send()
                .getTransactionReceipt().orElseThrow();
        System.out.println("EndToEndAnchorIT: after restart, anchoring lag " + lagMillis + " ms; anchor of tree size "
                + second.treeSize() + ", gas used " + receipt.getGasUsed() + "; consistency " + first.treeSize()
                + " -> " + second.treeSize() + " with " + path.size() + " hashes verified against both on-chain roots");
        // Delivered right after confirmation, in the same tick.
        Path outbox = work.resolve("data/anchor/fabric-outbox.jsonl");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Files.readAllLines(outbox))
                        .as("confirmed receipts waiting for the Fabric write-back, once each")
                        .doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(2));
    }

    @Test
    @Order(6)
    void withEthereumUnreachableTheMiddlewareStartsAndTheFeedSkipsMalformedEntries() throws Exception {
        // One middleware at a time in this JVM: the anchored one has done its part.
        middleware.close();
        String topic = "it.anchor.no-chain." + suffix;
        Map<String, String> noChain = new java.util.HashMap<>(overrides);
        noChain.put("caduceus.kafka.topic.ledger-entries", topic);
        noChain.put("ethereum.rpc.url", "http://127.0.0.1:" + InProcessMiddleware.freePort());
        noChain.put("caduceus.anchor.rpc-timeout-ms", "1000");
        middleware = InProcessMiddleware.start(Files.createDirectories(work.resolve("no-chain")), noChain);

        String controlId = "E2E-" + suffix.substring(suffix.length() - 8) + "-no-chain";
        try (MllpClient client = middleware.mllpClient()) {
            String ack = client.send(Hl7Messages.adt(controlId, CANARY));
            assertThat(MllpClient.ackCode(ack)).as(ack).isEqualTo("AA");
        }
        // Not a ledger entry, though written with the middleware's key: counted and skipped by the feed, which goes
        // on with the next one. The same without the key: refused before it is even parsed.
        var signed = new org.apache.kafka.common.header.internals.RecordHeaders();
        signed.add(io.caduceus.adapters.kafka.RecordMac.HEADER, middleware.recordMac().header(
                io.caduceus.adapters.kafka.RecordMac.Stream.LEDGER_ENTRIES, "{not json".getBytes(StandardCharsets.UTF_8)));
        try (var producer = DevnetKafka.producer()) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, null, "junk", "{not json",
                    signed)).get(10, java.util.concurrent.TimeUnit.SECONDS);
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "junk", "{not json"))
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        String second = controlId + "-2";
        try (MllpClient client = middleware.mllpClient()) {
            assertThat(MllpClient.ackCode(client.send(Hl7Messages.adt(second, CANARY)))).isEqualTo("AA");
        }
        String id = middleware.recordIdOf(second);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> response = get("/api/proofs/" + id);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            // Inclusion in the log is provable already; the anchor waits for the chain.
            assertThat(ProofBundle.fromJson(response.body()).anchor()).isEmpty();
        });
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            Map<?, ?> status = json(get("/api/anchoring").body());
            Map<?, ?> chain = (Map<?, ?>) status.get("chain");
            Map<?, ?> feed = (Map<?, ?>) status.get("feed");
            assertThat(chain.get("connected")).isEqualTo(Boolean.FALSE);
            assertThat(chain.get("problem")).asString().isNotBlank();
            assertThat(((Number) feed.get("skippedMalformed")).longValue()).isEqualTo(1);
            assertThat(((Number) feed.get("refusedUnauthenticated")).longValue()).isEqualTo(1);
            assertThat(((Number) status.get("logSize")).longValue()).isEqualTo(2);
        });
        Map<?, ?> status = json(get("/api/anchoring").body());
        assertThat(get("/api/status").body()).contains("\"name\":\"ethereum\",\"status\":\"DOWN\"");
        System.out.println("EndToEndAnchorIT: with Ethereum unreachable, /api/anchoring " + CanonicalJson.write(status));
    }

    /** Stops and starts the middleware on the same data folder (closing closes the vault and the anchoring too). */
    private void restart() throws Exception {
        middleware.close();
        middleware = InProcessMiddleware.start(work, overrides);
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** Polls the proof endpoint, mining a block per round so pending anchors collect their confirmations. */
    private String awaitAnchoredBundle(String recordId, long minTreeSize) throws Exception {
        return AnchoredProofs.mining(api, hardhat).await(recordId, AnchoredProofs.ofSizeAtLeast(minTreeSize),
                ANCHOR_DEADLINE);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return api.get(path);
    }

    private Verdict verify(String bundle, String record) {
        return ProofVerifier.verify(bundle, Optional.of(record), rpcUrl, VerifierOptions.defaults());
    }
}
