package io.caduceus.it.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.adapters.ethereum.AnchorRegistryClient;
import io.caduceus.adapters.ethereum.AnchorRegistryConfig;
import io.caduceus.adapters.ethereum.AnchorRegistryDeployment;
import io.caduceus.adapters.ethereum.EthereumAnchoring;
import io.caduceus.adapters.ethereum.EthereumEndpoint;
import io.caduceus.bridge.AnchorChain;
import io.caduceus.bridge.AnchorOutcome;
import io.caduceus.bridge.AnchorPolicy;
import io.caduceus.bridge.Anchorer;
import io.caduceus.bridge.AnchoringLog;
import io.caduceus.bridge.AnchoringStatus;
import io.caduceus.bridge.ProofService;
import io.caduceus.core.chain.TransactionLookup;
import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.hash.Sha256;
import io.caduceus.core.proof.OffChainProofVerifier;
import io.caduceus.core.proof.ProofBundle;
import io.caduceus.core.proof.ProofCheck;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.methods.response.VoidResponse;
import org.web3j.protocol.http.HttpService;

/**
 * The anchoring bridge against the devnet's real hardhat node: 10,000 synthetic entries (no patient data) appended,
 * anchored in two anchors, confirmed after blocks mined on demand, and a proof bundle checked against the root the
 * registry holds.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"ethereum"})
class AnchoringIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final SourceSystem SOURCE = new SourceSystem("ITAPP", "ITFAC");
    private static final int CONFIRMATIONS = 3;

    private static HttpService http;
    private static Web3j web3j;
    private static EthereumEndpoint endpoint;

    @TempDir
    Path dir;

    @BeforeAll
    static void connect() {
        String url = Devnet.property("ethereum.rpc.url");
        endpoint = new EthereumEndpoint(URI.create(url), Long.parseLong(Devnet.property("ethereum.chain.id")),
                Duration.ofSeconds(10));
        http = new HttpService(url);
        web3j = Web3j.build(http);
    }

    @AfterAll
    static void disconnect() {
        if (web3j != null) {
            web3j.shutdown();
        }
    }

    @Test
    void tenThousandEntriesAreAnchoredConfirmedAndProvenAgainstTheChain() throws Exception {
        Credentials key = fundedKey();
        AnchorRegistryConfig config = AnchorRegistryConfig.of(endpoint, null)
                .withReceiptPolling(Duration.ofSeconds(30), Duration.ofMillis(50));
        AnchorRegistryDeployment deployment;
        try (AnchorRegistryClient deployer = AnchorRegistryClient.connect(config, key)) {
            deployment = deployer.deploy(key.getAddress());
        }
        List<AnchorReceipt> delivered = new ArrayList<>();
        try (AnchorRegistryClient registry = AnchorRegistryClient.connect(
                config.withContractAddress(deployment.contractAddress()), key);
             TransactionLookup lookup = EthereumAnchoring.transactions(endpoint);
             AnchoringLog log = AnchoringLog.open(dir.resolve("log"))) {
            AnchorChain chain = new AnchorChain(endpoint.chainId(), deployment.contractAddress(), registry, lookup);
            Anchorer anchorer = Anchorer.open(dir.resolve("anchors"), log,
                    new AnchorPolicy(5_000, Duration.ofMinutes(10), CONFIRMATIONS, "caduceus"), chain, delivered::add);
            ProofService proofs = ProofService.of(log, anchorer);

            List<Long> gas = new ArrayList<>();
            List<Long> lagsMillis = new ArrayList<>();
            for (int half = 0; half < 2; half++) {
                for (int batch = 0; batch < 5; batch++) {
                    int from = half * 5_000 + batch * 1_000;
                    log.append(entries(from, from + 1_000), "block " + (from + 1_000) / 1_000, (from + 1_000) / 1_000);
                }
                long appendedAt = System.nanoTime();
                AnchorOutcome outcome = anchorer.anchorIfDue(Instant.now());
                assertThat(outcome.kind()).isEqualTo(AnchorOutcome.Kind.ANCHORED);
                assertThat(outcome.treeSize()).isEqualTo((half + 1) * 5_000L);
                String tx = outcome.transactionHash().orElseThrow();
                gas.add(lookup.canonicalReceipt(tx).orElseThrow().gasUsed());

                assertThat(anchorer.confirmPending(blockNumber())).isEmpty();
                mine(CONFIRMATIONS);
                List<AnchorReceipt> confirmed = anchorer.confirmPending(blockNumber());
                lagsMillis.add((System.nanoTime() - appendedAt) / 1_000_000);
                assertThat(confirmed).hasSize(1);
                assertThat(confirmed.get(0).transactionHash()).isEqualTo(tx);
            }
            assertThat(delivered).extracting(AnchorReceipt::treeSize).containsExactly(5_000L, 10_000L);

            ProofBundle bundle = proofs.proofFor(recordId(1_234));
            AnchorReceipt anchor = bundle.anchor().orElseThrow();
            assertThat(anchor.treeSize()).isEqualTo(10_000);
            assertThat(anchor.contractAddress()).isEqualToIgnoringCase(deployment.contractAddress());
            // The on-chain half of the verification: the registry holds exactly the bundle's root for its size.
            assertThat(Digest.of(registry.rootAt(bundle.inclusion().treeSize()))).isEqualTo(bundle.root());
            ProofBundle reread = ProofBundle.fromJson(bundle.toJson());
            assertThat(OffChainProofVerifier.verify(reread, Optional.empty())).extracting(ProofCheck::outcome)
                    .containsExactly(ProofCheck.Outcome.SKIPPED, ProofCheck.Outcome.PASSED, ProofCheck.Outcome.PASSED);

            AnchoringStatus status = anchorer.status(Instant.now());
            assertThat(status.unanchoredEntries()).isZero();
            assertThat(status.pendingAnchors()).isZero();
            System.out.println("AnchoringIT: gas per anchor " + gas + "; anchoring lag (append done -> confirmed, "
                    + CONFIRMATIONS + " confirmations, blocks mined on demand) " + lagsMillis + " ms; bundle "
                    + bundle.toJson().getBytes(StandardCharsets.UTF_8).length + " bytes at tree size 10000");
        }
    }

    private static List<LedgerEntry> entries(int from, int to) {
        List<LedgerEntry> list = new ArrayList<>(to - from);
        for (int n = from; n < to; n++) {
            Digest commitment = Sha256.digest(("it-commitment-" + n).getBytes(StandardCharsets.UTF_8));
            list.add(new LedgerEntry(recordId(n), commitment, "ORU^R01", SOURCE, Instant.now(), Optional.empty()));
        }
        return list;
    }

    private static RecordId recordId(int n) {
        return new RecordId("r_" + Sha256.digest(("it-record-" + n).getBytes(StandardCharsets.UTF_8)).hex()
                .substring(0, 32));
    }

    private static long blockNumber() throws Exception {
        return web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
    }

    private static void mine(int blocks) throws Exception {
        VoidResponse response = new Request<>("hardhat_mine", List.of("0x" + Integer.toHexString(blocks)), http,
                VoidResponse.class).send();
        assertThat(response.hasError()).as("hardhat_mine").isFalse();
    }

    /** A new key with 100 ETH, set directly in the node's state (no transaction, no shared nonce). */
    private static Credentials fundedKey() throws Exception {
        Credentials key = Credentials.create(Keys.createEcKeyPair(RANDOM));
        VoidResponse response = new Request<>("hardhat_setBalance", List.of(key.getAddress(), "0x56bc75e2d63100000"),
                http, VoidResponse.class).send();
        assertThat(response.hasError()).as("hardhat_setBalance").isFalse();
        return key;
    }
}
