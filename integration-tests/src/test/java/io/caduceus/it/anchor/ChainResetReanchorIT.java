package io.caduceus.it.anchor;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.proof.ProofBundle;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.Hl7Messages;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.MllpClient;
import io.caduceus.it.support.AnchoredProofs;
import io.caduceus.it.support.DevnetProcesses;
import io.caduceus.it.support.MiddlewareApi;
import io.caduceus.it.support.MiddlewareSettings;
import io.caduceus.verifier.ProofVerifier;
import io.caduceus.verifier.Verdict;
import io.caduceus.verifier.VerifierOptions;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The devnet chain restarted from genesis under a running middleware, with no traffic afterwards (issue 18): the
 * bridge finds that the chain no longer holds its confirmed anchor, records it as lost, deploys the registry again
 * (devnet bootstrap) and anchors the same head at once; a proof of a record anchored before the reset, asked for
 * again, verifies VALID against the new chain, while the bundle issued before the reset does not.
 *
 * <p>Settings as {@code ./caduceus up} runs them (no confirmations, the default 60 s held check and 5 s tick): the
 * bound below is what a devnet user waits.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka", "ethereum"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChainResetReanchorIT {

    private static final int MESSAGES = 3;
    /**
     * The node's height going down triggers the check at the next 5 s tick, which reconnects (deploying the registry
     * again) and anchors in the same tick.
     */
    private static final Duration REANCHOR_BOUND = Duration.ofSeconds(30);

    @TempDir
    static Path work;

    private final String suffix = Long.toString(System.nanoTime());
    private final Map<String, String> overrides = MiddlewareSettings.of(
            MiddlewareSettings.ownTopics("reanchor", suffix),
            Map.of("caduceus.anchor.devnet-bootstrap", "true",
                    "caduceus.anchor.confirmations", "0",
                    "caduceus.anchor.max-interval-ms", "1000",
                    "caduceus.anchor.feed.poll-ms", "200"));

    private InProcessMiddleware middleware;
    private final MiddlewareApi api = MiddlewareApi.asOperator(() -> middleware.httpPort(), Duration.ofSeconds(10));

    @BeforeAll
    void start() throws Exception {
        middleware = InProcessMiddleware.start(work, overrides);
    }

    @AfterAll
    void stop() {
        if (middleware != null) {
            middleware.close();
        }
    }

    @Test
    void afterTheChainIsRestartedTheHeadIsAnchoredAgainWithoutNewTrafficAndOldRecordsProveValid() throws Exception {
        List<String> ids = new ArrayList<>();
        try (MllpClient client = middleware.mllpClient()) {
            for (int i = 1; i <= MESSAGES; i++) {
                String controlId = "RST-" + suffix.substring(suffix.length() - 8) + "-" + i;
                String ack = client.send(adt(controlId));
                assertThat(MllpClient.ackCode(ack)).as(ack).isEqualTo("AA");
                ids.add(middleware.recordIdOf(controlId));
            }
        }
        String firstId = ids.get(0);
        String record = new String(middleware.ingest().vault().get(firstId).orElseThrow().canonicalBundle(),
                StandardCharsets.UTF_8);
        String before = awaitAnchoredBundle(firstId, MESSAGES, Duration.ofSeconds(60));
        AnchorReceipt oldAnchor = ProofBundle.fromJson(before).anchor().orElseThrow();
        Verdict first = verify(before, record);
        assertThat(first.result()).as(first.toText()).isEqualTo(Verdict.Result.VALID);

        long resetStarted = System.nanoTime();
        DevnetProcesses.devnet(work.resolve("devnet.log"), Duration.ofMinutes(3), "down", "ethereum");
        DevnetProcesses.devnet(work.resolve("devnet.log"), Duration.ofMinutes(3), "up", "ethereum");
        long chainBack = System.nanoTime();

        // No message from here on.
        Map<?, ?> status = awaitReanchor(REANCHOR_BOUND);
        long reanchored = System.nanoTime();
        Map<?, ?> lost = (Map<?, ?>) status.get("lostAnchors");
        assertThat(((Number) lost.get("count")).longValue()).isGreaterThanOrEqualTo(1);
        Map<?, ?> latestLost = (Map<?, ?>) ((List<?>) lost.get("recent")).get(((List<?>) lost.get("recent")).size() - 1);
        assertThat(((Number) latestLost.get("treeSize")).longValue()).isEqualTo(oldAnchor.treeSize());
        assertThat(latestLost.get("root")).isEqualTo(oldAnchor.root().hex());
        assertThat(latestLost.get("transactionHash")).isEqualTo(oldAnchor.transactionHash());
        assertThat(latestLost.get("detectedAt")).asString().isNotBlank();
        assertThat(((Number) status.get("lastAnchoredSize")).longValue()).isEqualTo(oldAnchor.treeSize());
        assertThat(get("/api/status").body()).as("operators see it in the status too")
                .contains("\"lostAnchors\":{\"count\":" + ((Number) lost.get("count")).longValue());

        String after = awaitAnchoredBundle(firstId, MESSAGES, Duration.ofSeconds(10));
        AnchorReceipt newAnchor = ProofBundle.fromJson(after).anchor().orElseThrow();
        Verdict stale = verify(before, record);
        if (!newAnchor.transactionHash().equals(oldAnchor.transactionHash())) {
            assertThat(stale.result()).as("the bundle issued before the reset names an anchor the chain lost: "
                    + stale.toText()).isNotEqualTo(Verdict.Result.VALID);
        }
        // Otherwise the new chain mined the very same signed anchor (same key, nonce, data and fee after the same
        // funding and deployment): the old bundle's transaction exists again, and the verifier takes the chain's
        // block and time.
        assertThat(newAnchor.root()).isEqualTo(oldAnchor.root());
        // Same key, nonce and data on a new chain may even give the same transaction hash: the block time differs.
        assertThat(newAnchor).as("a receipt of the new chain").isNotEqualTo(oldAnchor);
        Verdict verdict = verify(after, record);
        assertThat(verdict.result()).as(verdict.toText()).isEqualTo(Verdict.Result.VALID);

        Map<?, ?> again = (Map<?, ?>) lost.get("lastReanchor");
        System.out.printf("ChainResetReanchorIT: chain down+up took %d ms; from the new chain answering to the re-anchor"
                        + " confirmed (seen at /api/anchoring, polled every 250 ms) %d ms; from the loss found to"
                        + " confirmed %s ms (middleware's own figure); lost anchor size %d block %d, new anchor block"
                        + " %d%n",
                (chainBack - resetStarted) / 1_000_000, (reanchored - chainBack) / 1_000_000,
                again.get("millisFromLossFoundToConfirmed"), oldAnchor.treeSize(), oldAnchor.blockNumber(),
                newAnchor.blockNumber());
    }

    private Map<?, ?> awaitReanchor(Duration bound) throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = get("/api/anchoring").body();
            Map<?, ?> status = (Map<?, ?>) CanonicalJson.parse(last);
            if (status.get("lostAnchors") instanceof Map<?, ?> lost && lost.get("lastReanchor") != null) {
                return status;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no re-anchor within " + bound + " of the chain's restart; /api/anchoring " + last);
    }

    /** The chain mines its own blocks here (no confirmations wanted); while it is reset any answer may come. */
    private String awaitAnchoredBundle(String recordId, long minTreeSize, Duration bound) throws Exception {
        return AnchoredProofs.waiting(api).await(recordId, AnchoredProofs.ofSizeAtLeast(minTreeSize), bound);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return api.get(path);
    }

    private static Verdict verify(String bundle, String record) {
        return ProofVerifier.verify(bundle, Optional.of(record), Devnet.property("ethereum.rpc.url"),
                VerifierOptions.defaults());
    }

    private static String adt(String controlId) {
        return Hl7Messages.adt(controlId, "Resetsurname");
    }
}
