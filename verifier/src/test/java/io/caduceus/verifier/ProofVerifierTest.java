package io.caduceus.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.hash.Digest;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.proof.ProofCheck.Outcome;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProofVerifierTest {

    private static final int INDEX = 6;

    private final Fixture fixture = new Fixture(10);
    private FakeChain chain;

    @BeforeEach
    void startChain() {
        chain = new FakeChain().holding(10, fixture.root());
    }

    @AfterEach
    void stopChain() {
        chain.close();
    }

    private Verdict verify(String bundleJson, Optional<String> record) {
        return ProofVerifier.verify(bundleJson, record, chain.url(), VerifierOptions.defaults());
    }

    private Verdict verifyGood() {
        return verify(fixture.bundleJson(INDEX), Optional.of(fixture.records.get(INDEX)));
    }

    // ---- valid --------------------------------------------------------------------------------------------------

    @Test
    void aGenuineBundleWithItsRecordIsValid() {
        Verdict verdict = verifyGood();

        assertThat(verdict.result()).as(verdict.toText()).isEqualTo(Verdict.Result.VALID);
        assertThat(verdict.exitCode()).isZero();
        assertThat(verdict.checks()).extracting(c -> c.name()).containsExactly("bundle", "commitment", "inclusion",
                "anchor-claim", "chain", "on-chain-root", "anchor-transaction", "confirmations");
        assertThat(verdict.checks()).allMatch(c -> c.outcome() == Outcome.PASSED);
        AnchorFacts anchor = verdict.anchor().orElseThrow();
        assertThat(anchor).isEqualTo(new AnchorFacts(Fixture.CHAIN_ID, Fixture.CONTRACT, Fixture.TX, Fixture.BLOCK,
                Fixture.BLOCK_TIME, 3));
    }

    @Test
    void everyLeafOfTheLogVerifies() {
        for (int i = 0; i < fixture.records.size(); i++) {
            Verdict verdict = verify(fixture.bundleJson(i), Optional.of(fixture.records.get(i)));
            assertThat(verdict.result()).as("leaf %d: %s", i, verdict.toText()).isEqualTo(Verdict.Result.VALID);
        }
    }

    @Test
    void anyReserializationOfTheRecordOpensTheCommitment() {
        String reordered = CanonicalJson.canonicalString(fixture.records.get(INDEX));
        assertThat(verify(fixture.bundleJson(INDEX), Optional.of(reordered)).result()).isEqualTo(Verdict.Result.VALID);
    }

    @Test
    void withoutTheRecordOnlyTheCommitmentIsProven() {
        Verdict verdict = verify(fixture.bundleJson(INDEX), Optional.empty());
        assertThat(verdict.result()).isEqualTo(Verdict.Result.VALID);
        assertThat(verdict.check("commitment").orElseThrow().outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(verdict.reason()).contains("record not checked");
    }

    @Test
    void uppercaseHexAndUnknownMembersAreAccepted() {
        String json = fixture.bundleJson(INDEX);
        String upper = json.replace(fixture.root().hex(), fixture.root().hex().toUpperCase())
                .replaceFirst("\\{", "{\"comment\":\"ignored\",");
        assertThat(verify(upper, Optional.of(fixture.records.get(INDEX))).result()).isEqualTo(Verdict.Result.VALID);
    }
    @Test
    void recordIdsOfBothFormatsAreReadAndOtherFormsAreNot() {
        String good = fixture.bundleJson(INDEX);
        assertThat(good).contains("\"recordId\":\"r2_");
        String formatOne = good.replace("\"recordId\":\"r2_", "\"recordId\":\"r_");
        assertThat(verify(formatOne, Optional.of(fixture.records.get(INDEX))).result()).isEqualTo(Verdict.Result.VALID);
        String unknown = good.replace("\"recordId\":\"r2_", "\"recordId\":\"r3_");
        assertThat(verify(unknown, Optional.of(fixture.records.get(INDEX))).result()).isEqualTo(Verdict.Result.UNDECIDED);
    }


    // ---- could not decide: the bundle -----------------------------------------------------------------------------

    @Test
    void unreadableBundlesCannotBeDecided() {
        String good = fixture.bundleJson(INDEX);
        Map<String, String> bad = Map.of(
                "not JSON", "{\"format\":",
                "not an object", "[1,2]",
                "unknown format", good.replace("caduceus.proof.v1", "caduceus.proof.v2"),
                "no format", good.replace("\"format\":\"caduceus.proof.v1\",", ""),
                "unknown scheme", good.replace("hmac-sha256-salted-v1", "sha256-v0"),
                "no leaf hash", good.replaceAll("\"hash\":\"[0-9a-f]{64}\",", ""),
                "short root", good.replace("\"root\":\"" + fixture.root().hex() + "\",\"size\"",
                        "\"root\":\"abcd\",\"size\""),
                "anchor not an object", good.replaceAll("\"anchor\":\\{[^}]*\\}", "\"anchor\":\"yes\""),
                "anchor without tx", good.replaceAll("\"transactionHash\":\"0x[0-9a-f]{64}\",", ""),
                "negative index", good.replace("\"index\":" + INDEX, "\"index\":-1"));
        bad.forEach((what, json) -> {
            assertThat(json).as(what).isNotEqualTo(good);
            Verdict verdict = verify(json, Optional.of(fixture.records.get(INDEX)));
            assertThat(verdict.result()).as(what + ": " + verdict.toText()).isEqualTo(Verdict.Result.UNDECIDED);
            assertThat(verdict.exitCode()).isEqualTo(2);
            assertThat(verdict.checks()).noneMatch(c -> c.outcome() == Outcome.FAILED);
        });
    }

    @Test
    void aBundleWithoutAnchorIsNotAnchoredYet() {
        String json = fixture.bundle(INDEX, Optional.empty()).toJson();
        Verdict verdict = verify(json, Optional.of(fixture.records.get(INDEX)));
        assertThat(verdict.result()).isEqualTo(Verdict.Result.UNDECIDED);
        assertThat(verdict.reason()).contains("not anchored yet");
        assertThat(verdict.check("inclusion").orElseThrow().outcome()).isEqualTo(Outcome.PASSED);
    }

    @Test
    void aRecordWithoutSaltCannotBeChecked() {
        String json = fixture.bundleJson(INDEX).replaceAll("\"salt\":\"[0-9a-f]{64}\",", "");
        Verdict verdict = verify(json, Optional.of(fixture.records.get(INDEX)));
        assertThat(verdict.result()).isEqualTo(Verdict.Result.UNDECIDED);
        assertThat(verdict.reason()).contains("no salt");
    }

    // ---- invalid: off-chain ---------------------------------------------------------------------------------------

    @Test
    void aChangedRecordIsInvalid() {
        String tampered = fixture.records.get(INDEX).replace("1.50", "1.51");
        Verdict verdict = verify(fixture.bundleJson(INDEX), Optional.of(tampered));
        assertThat(verdict.result()).isEqualTo(Verdict.Result.INVALID);
        assertThat(verdict.exitCode()).isEqualTo(1);
        assertThat(verdict.check("commitment").orElseThrow().outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void anotherRecordOfTheSameLogIsInvalid() {
        Verdict verdict = verify(fixture.bundleJson(INDEX), Optional.of(fixture.records.get(INDEX + 1)));
        assertThat(verdict.result()).isEqualTo(Verdict.Result.INVALID);
    }

    @Test
    void aChangedPathHashIsInvalid() {
        String path0 = fixture.bundle(INDEX).inclusion().auditPath().get(0).hex();
        String flipped = (path0.charAt(0) == '0' ? "1" : "0") + path0.substring(1);
        Verdict verdict = verify(fixture.bundleJson(INDEX).replace(path0, flipped), Optional.of(fixture.records.get(INDEX)));
        assertThat(verdict.result()).isEqualTo(Verdict.Result.INVALID);
        assertThat(verdict.check("inclusion").orElseThrow().outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void anotherLeafIndexIsInvalid() {
        String json = fixture.bundleJson(INDEX).replace("\"index\":" + INDEX, "\"index\":" + (INDEX + 1));
        assertThat(verify(json, Optional.of(fixture.records.get(INDEX))).result()).isEqualTo(Verdict.Result.INVALID);
        String beyond = fixture.bundleJson(INDEX).replace("\"index\":" + INDEX, "\"index\":10");
        Verdict verdict = verify(beyond, Optional.of(fixture.records.get(INDEX)));
        assertThat(verdict.result()).isEqualTo(Verdict.Result.INVALID);
        assertThat(verdict.check("inclusion").orElseThrow().outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void anAnchorNamingAnotherRootIsInvalid() {
        Digest other = new Fixture(3).root();
        String json = fixture.bundleJson(INDEX).replaceAll("(\"anchor\":\\{[^}]*\"root\":\")[0-9a-f]{64}",
                "$1" + other.hex());
        Verdict verdict = verify(json, Optional.of(fixture.records.get(INDEX)));
        assertThat(verdict.result()).isEqualTo(Verdict.Result.INVALID);
        assertThat(verdict.check("anchor-claim").orElseThrow().outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void anOffChainFailureIsInvalidEvenWhenTheRpcIsDown() {
        String tampered = fixture.records.get(INDEX).replace("final", "amended");
        Verdict verdict = ProofVerifier.verify(fixture.bundleJson(INDEX), Optional.of(tampered), closedPortUrl(),
                VerifierOptions.defaults());
        assertThat(verdict.result()).isEqualTo(Verdict.Result.INVALID);
    }

    // ---- on-chain -------------------------------------------------------------------------------------------------

    @Test
    void aDifferentRootOnChainIsInvalid() {
        chain.answer("eth_call", Fixture.quoted("0x" + new Fixture(3).root().hex()));
        Verdict verdict = verifyGood();
        assertThat(verdict.result()).isEqualTo(Verdict.Result.INVALID);
        assertThat(verdict.check("on-chain-root").orElseThrow().detail()).contains("not the proof's root");
    }

    @Test
    void aZeroRootOnChainMeansNeverAnchoredAndIsInvalid() {
        chain.answer("eth_call", Fixture.quoted("0x" + "00".repeat(32)));
        Verdict verdict = verifyGood();
        assertThat(verdict.result()).isEqualTo(Verdict.Result.INVALID);
        assertThat(verdict.check("on-chain-root").orElseThrow().detail()).contains("nothing is anchored");
    }

    @Test
    void noContractAtTheAddressIsInvalid() {
        chain.answer("eth_call", Fixture.quoted("0x"));
        assertThat(verifyGood().result()).isEqualTo(Verdict.Result.INVALID);
        chain.error("eth_call", "execution reverted");
        assertThat(verifyGood().result()).isEqualTo(Verdict.Result.INVALID);
    }

    @Test
    void aNodeThatIsNotSyncedYetCannotDecide() {
        chain.answer("eth_blockNumber", Fixture.hexQuantity(10)).answer("eth_call", Fixture.quoted("0x" + "00".repeat(32)))
                .answer("eth_getTransactionReceipt", "null");
        Verdict verdict = verifyGood();
        assertThat(verdict.result()).as(verdict.toText()).isEqualTo(Verdict.Result.UNDECIDED);
        assertThat(verdict.reason()).contains("is it synced");
    }

    @Test
    void theAnchoringTransactionMustSucceedTargetTheRegistryAndCarryTheEvent() {
        Digest root = fixture.root();
        String other = "0x" + "22".repeat(20);
        Map<String, String> receipts = Map.of(
                "failed", Fixture.receipt("0x0", Fixture.CONTRACT, Fixture.CONTRACT, 10, root),
                "no status", Fixture.receipt("0x1", Fixture.CONTRACT, Fixture.CONTRACT, 10, root)
                        .replace(",\"status\":\"0x1\"", ""),
                "sent elsewhere", Fixture.receipt("0x1", other, Fixture.CONTRACT, 10, root),
                "event of another contract", Fixture.receipt("0x1", Fixture.CONTRACT, other, 10, root),
                "event of another size", Fixture.receipt("0x1", Fixture.CONTRACT, Fixture.CONTRACT, 9, root),
                "event of another root", Fixture.receipt("0x1", Fixture.CONTRACT, Fixture.CONTRACT, 10,
                        new Fixture(3).root()),
                "not mined", "null");
        receipts.forEach((what, receipt) -> {
            chain.answer("eth_getTransactionReceipt", receipt);
            Verdict verdict = verifyGood();
            assertThat(verdict.result()).as(what + ": " + verdict.toText()).isEqualTo(Verdict.Result.INVALID);
            assertThat(verdict.check("anchor-transaction").orElseThrow().outcome()).as(what).isEqualTo(Outcome.FAILED);
        });
    }

    @Test
    void anRpcEndpointOnAnotherChainCannotDecide() {
        chain.answer("eth_chainId", Fixture.hexQuantity(1));
        Verdict verdict = verifyGood();
        assertThat(verdict.result()).isEqualTo(Verdict.Result.UNDECIDED);
        assertThat(verdict.reason()).contains("use an endpoint of chain 31337");
    }

    @Test
    void aBundleAnchoredOnAnotherChainThanRequiredIsInvalid() {
        Verdict verdict = ProofVerifier.verify(fixture.bundleJson(INDEX), Optional.of(fixture.records.get(INDEX)),
                chain.url(), VerifierOptions.defaults().withExpectedChainId(1));
        assertThat(verdict.result()).isEqualTo(Verdict.Result.INVALID);
        assertThat(verdict.check("chain").orElseThrow().outcome()).isEqualTo(Outcome.FAILED);
        assertThat(chain.server.getAllServeEvents()).isEmpty();
    }

    @Test
    void fewerConfirmationsThanRequiredCannotDecide() {
        Verdict verdict = ProofVerifier.verify(fixture.bundleJson(INDEX), Optional.of(fixture.records.get(INDEX)),
                chain.url(), VerifierOptions.defaults().withMinConfirmations(12));
        assertThat(verdict.result()).isEqualTo(Verdict.Result.UNDECIDED);
        assertThat(verdict.check("confirmations").orElseThrow().detail()).contains("3 confirmations").contains("12 required");
        assertThat(verdict.anchor()).isPresent();
    }

    @Test
    void anRpcEndpointThatIsDownCannotDecide() {
        Verdict verdict = ProofVerifier.verify(fixture.bundleJson(INDEX), Optional.of(fixture.records.get(INDEX)),
                closedPortUrl(), VerifierOptions.defaults());
        assertThat(verdict.result()).isEqualTo(Verdict.Result.UNDECIDED);
        assertThat(verdict.exitCode()).isEqualTo(2);
        assertThat(verdict.check("inclusion").orElseThrow().outcome()).isEqualTo(Outcome.PASSED);
        assertThat(verdict.check("confirmations").orElseThrow().outcome()).isEqualTo(Outcome.SKIPPED);
    }

    @Test
    void anRpcEndpointThatHangsIsCutOffByTheDeadline() {
        chain.respond("eth_call", com.github.tomakehurst.wiremock.client.WireMock.okJson(
                Fixture.result(Fixture.quoted("0x" + fixture.root().hex()))).withFixedDelay(5_000));
        long start = System.nanoTime();
        Verdict verdict = ProofVerifier.verify(fixture.bundleJson(INDEX), Optional.of(fixture.records.get(INDEX)),
                chain.url(), VerifierOptions.defaults().withRpcTimeout(Duration.ofMillis(300)));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        assertThat(verdict.result()).isEqualTo(Verdict.Result.UNDECIDED);
        assertThat(verdict.check("on-chain-root").orElseThrow().detail()).contains("could not be asked");
    }

    @Test
    void anRpcEndpointThatAnswersGarbageCannotDecide() {
        chain.respond("eth_chainId", com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(502)
                .withBody("bad gateway"));
        assertThat(verifyGood().result()).isEqualTo(Verdict.Result.UNDECIDED);
        chain.answer("eth_chainId", Fixture.quoted("banana"));
        assertThat(verifyGood().result()).isEqualTo(Verdict.Result.UNDECIDED);
    }

    @Test
    void aBadRpcUrlCannotDecide() {
        Verdict verdict = ProofVerifier.verify(fixture.bundleJson(INDEX), Optional.empty(), "file:///etc/passwd",
                VerifierOptions.defaults());
        assertThat(verdict.result()).isEqualTo(Verdict.Result.UNDECIDED);
    }

    @Test
    void theBundlesBlockStatementsAreReportedButNeverTrusted() {
        String json = fixture.bundleJson(INDEX).replace("\"blockNumber\":42", "\"blockNumber\":41");
        Verdict verdict = verify(json, Optional.of(fixture.records.get(INDEX)));
        assertThat(verdict.result()).isEqualTo(Verdict.Result.VALID);
        assertThat(verdict.anchor().orElseThrow().blockNumber()).isEqualTo(42);
        assertThat(verdict.check("confirmations").orElseThrow().detail()).contains("the bundle states block 41");
    }

    // ---- output ---------------------------------------------------------------------------------------------------

    @Test
    void jsonOutputHasAStableShape() {
        Map<?, ?> json = (Map<?, ?>) CanonicalJson.parse(verifyGood().toJson());
        assertThat(json.keySet()).map(Object::toString).containsExactlyInAnyOrder("format", "verdict", "exitCode", "reason", "recordId",
                "checks", "anchor");
        assertThat(json.get("format")).isEqualTo("caduceus.verifier.result.v1");
        assertThat(json.get("verdict")).isEqualTo("valid");
        assertThat(((Number) json.get("exitCode")).intValue()).isZero();
        Map<?, ?> anchor = (Map<?, ?>) json.get("anchor");
        assertThat(anchor.keySet()).map(Object::toString).containsExactlyInAnyOrder("chainId", "contract", "tx", "block", "blockTime",
                "confirmations");
        assertThat(anchor.get("blockTime")).isEqualTo("2026-11-25T12:00:00Z");
        Map<?, ?> first = (Map<?, ?>) ((java.util.List<?>) json.get("checks")).get(0);
        assertThat(first.keySet()).map(Object::toString).containsExactlyInAnyOrder("name", "outcome", "detail");

        Map<?, ?> down = (Map<?, ?>) CanonicalJson.parse(ProofVerifier.verify("{}", Optional.empty(), chain.url(),
                VerifierOptions.defaults()).toJson());
        assertThat(down.get("verdict")).isEqualTo("undecided");
        assertThat(down.get("anchor")).isNull();
        assertThat(down.get("recordId")).isNull();
    }

    @Test
    void theTextReportListsEveryCheckAndTheVerdict() {
        String text = verifyGood().toText();
        assertThat(text).contains("PASSED   commitment").contains("PASSED   on-chain-root")
                .contains("verdict: VALID (exit 0)").contains("3 confirmations");
    }

    static String closedPortUrl() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
