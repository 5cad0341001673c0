package io.caduceus.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.proof.ProofBundle;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Waits for a record's proof bundle (with the salt, which opens the commitment, so the verifier checks the record
 * itself) to carry an anchor, polling {@code GET /api/proofs/{id}} every 250 ms.
 */
public final class AnchoredProofs {

    private final MiddlewareApi api;
    private final Hardhat miner;

    private AnchoredProofs(MiddlewareApi api, Hardhat miner) {
        this.api = api;
        this.miner = miner;
    }

    /**
     * Mines a block each round, so pending anchors collect their confirmations; until the bundle is anchored the
     * endpoint may only answer 202 (logged, not anchored yet).
     */
    public static AnchoredProofs mining(MiddlewareApi api, Hardhat hardhat) {
        return new AnchoredProofs(api, hardhat);
    }

    /** Mines nothing (the chain mines itself) and takes any answer until the anchored bundle comes. */
    public static AnchoredProofs waiting(MiddlewareApi api) {
        return new AnchoredProofs(api, null);
    }

    /** An anchor of a tree of at least {@code size} leaves. */
    public static Predicate<ProofBundle> ofSizeAtLeast(long size) {
        return bundle -> bundle.anchor().isPresent() && bundle.anchor().get().treeSize() >= size;
    }

    /** An anchor of a tree that holds the record's own leaf. */
    public static Predicate<ProofBundle> coveringTheRecord() {
        return bundle -> bundle.anchor().isPresent() && bundle.anchor().get().treeSize() > bundle.inclusion().leafIndex();
    }

    /** The bundle's JSON once {@code anchored} holds, within {@code bound}. */
    public String await(String recordId, Predicate<ProofBundle> anchored, Duration bound) throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = api.get("/api/proofs/" + recordId + "?includeSalt=true");
            last = response.statusCode() + " " + response.body();
            if (response.statusCode() == 200) {
                if (anchored.test(ProofBundle.fromJson(response.body()))) {
                    return response.body();
                }
            } else if (miner != null) {
                assertThat(response.statusCode()).as(last).isEqualTo(202);
            }
            if (miner != null) {
                miner.mine();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no anchored proof as wanted within " + bound + "; last answer " + last
                + "; anchoring " + api.get("/api/anchoring").body() + "; ledger " + api.get("/api/ledger").body());
    }
}
