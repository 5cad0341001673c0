package io.caduceus.it.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.adapters.ethereum.AnchorRegistryClient;
import io.caduceus.adapters.ethereum.AnchorRegistryConfig;
import io.caduceus.adapters.ethereum.EthereumEndpoint;
import io.caduceus.adapters.ethereum.EthereumReceipt;
import io.caduceus.core.commitment.HidingCommitments;
import io.caduceus.core.commitment.Salt;
import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.merkle.MerkleLog;
import io.caduceus.core.merkle.MerkleLogs;
import io.caduceus.core.proof.ProofBundle;
import io.caduceus.core.proof.ProofCheck;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.verifier.ProofVerifier;
import io.caduceus.verifier.Verdict;
import io.caduceus.verifier.VerifierCli;
import io.caduceus.verifier.VerifierOptions;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.methods.response.VoidResponse;
import org.web3j.protocol.http.HttpService;

/**
 * The auditor's verifier against the devnet's real hardhat node: a log of 1,000 real commitments, its root anchored
 * in a freshly deployed AnchorRegistry, a few blocks mined on top, and bundles that are genuine or tampered with in
 * every way the format allows.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"ethereum"})
class VerifierIT {

    private static final int RECORDS = 1_000;
    private static final int EARLIER_SIZE = 600;
    private static final int INDEX = 437;
    private static final String CHANNEL = "caduceus";
    private static final SecureRandom RANDOM = new SecureRandom();

    private static String rpcUrl;
    private static long chainId;
    private static final List<String> records = new ArrayList<>();
    private static final List<Salt> salts = new ArrayList<>();
    private static final List<Digest> commitments = new ArrayList<>();
    private static final MerkleLog log = MerkleLogs.inMemory();
    private static String registry;
    private static EthereumReceipt anchorEarlier;
    private static EthereumReceipt anchorFull;
    /** A second registry holding the root of a different 1,000-leaf tree. */
    private static String otherRegistry;
    private static EthereumReceipt otherAnchor;
    private static Digest otherRoot;

    @TempDir
    Path dir;

    @BeforeAll
    static void anchorALog() throws Exception {
        rpcUrl = Devnet.property("ethereum.rpc.url");
        chainId = Long.parseLong(Devnet.property("ethereum.chain.id"));
        for (int i = 0; i < RECORDS; i++) {
            String record = "{\"resourceType\":\"Observation\",\"id\":\"obs-" + i + "\",\"status\":\"final\","
                    + "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"2345-7\"}]},"
                    + "\"valueQuantity\":{\"value\":" + (4 + i % 30) / 10.0 + ",\"unit\":\"mmol/L\"}}";
            Salt salt = Salt.random();
            Digest commitment = HidingCommitments.commit(salt, CanonicalJson.canonicalize(record));
            records.add(record);
            salts.add(salt);
            commitments.add(commitment);
            log.append(commitment.toBytes());
        }
        MerkleLog other = MerkleLogs.inMemory();
        for (int i = 0; i < RECORDS; i++) {
            other.append(HidingCommitments.commit(Salt.random(), ("{\"other\":" + i + "}").getBytes(StandardCharsets.UTF_8))
                    .toBytes());
        }
        otherRoot = other.root(RECORDS);

        HttpService http = new HttpService(rpcUrl);
        EthereumEndpoint endpoint = new EthereumEndpoint(URI.create(rpcUrl), chainId, Duration.ofSeconds(10));
        Credentials anchorer = fundedKey(http);
        AnchorRegistryConfig config = AnchorRegistryConfig.of(endpoint, null)
                .withReceiptPolling(Duration.ofSeconds(30), Duration.ofMillis(50));
        try (AnchorRegistryClient deployer = AnchorRegistryClient.connect(config, anchorer)) {
            registry = deployer.deploy(anchorer.getAddress()).contractAddress().toLowerCase();
            otherRegistry = deployer.deploy(anchorer.getAddress()).contractAddress().toLowerCase();
        }
        try (AnchorRegistryClient client = AnchorRegistryClient.connect(config.withContractAddress(registry), anchorer);
             AnchorRegistryClient second = AnchorRegistryClient.connect(config.withContractAddress(otherRegistry),
                     anchorer)) {
            anchorEarlier = client.anchor(EARLIER_SIZE, log.root(EARLIER_SIZE).toBytes(), CHANNEL, 7);
            anchorFull = client.anchor(RECORDS, log.root(RECORDS).toBytes(), CHANNEL, 12);
            otherAnchor = second.anchor(RECORDS, otherRoot.toBytes(), CHANNEL, 12);
        }
        VoidResponse mined = new Request<>("hardhat_mine", List.of("0x5"), http, VoidResponse.class).send();
        assertThat(mined.hasError()).as("hardhat_mine").isFalse();
    }

    // ---- valid --------------------------------------------------------------------------------------------------

    @Test
    void aGenuineBundleIsValidInProcessAndTimed() {
        String bundle = bundle(INDEX, RECORDS, receipt(registry, anchorFull, RECORDS, log.root(RECORDS))).toJson();
        Verdict verdict = verify(bundle, records.get(INDEX));
        assertThat(verdict.result()).as(verdict.toText()).isEqualTo(Verdict.Result.VALID);
        assertThat(verdict.checks()).allMatch(c -> c.outcome() == ProofCheck.Outcome.PASSED);
        var anchor = verdict.anchor().orElseThrow();
        assertThat(anchor.blockNumber()).isEqualTo(anchorFull.blockNumber());
        assertThat(anchor.blockTime()).isEqualTo(anchorFull.blockTimestamp());
        assertThat(anchor.confirmations()).isGreaterThanOrEqualTo(6);
        assertThat(anchor.chainId()).isEqualTo(chainId);
        System.out.print(verdict.toText());

        int runs = 20;
        long[] millis = new long[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            assertThat(verify(bundle, records.get(INDEX)).isValid()).isTrue();
            millis[i] = (System.nanoTime() - start) / 1_000_000;
        }
        Arrays.sort(millis);
        System.out.printf("VerifierIT: verification of one bundle (1,000-leaf log, %d path hashes, 6 RPC calls to "
                        + "hardhat): median %d ms, min %d ms, max %d ms over %d runs%n",
                log.inclusionProof(INDEX, RECORDS).auditPath().size(), millis[runs / 2], millis[0], millis[runs - 1],
                runs);
    }

    @Test
    void everyRecordOfBothAnchoredTreesVerifies() {
        for (int index : new int[] {0, 1, 599, 600, 998, 999}) {
            Verdict verdict = verify(bundle(index, RECORDS, receipt(registry, anchorFull, RECORDS, log.root(RECORDS)))
                    .toJson(), records.get(index));
            assertThat(verdict.result()).as("leaf %d of %d: %s", index, RECORDS, verdict.toText())
                    .isEqualTo(Verdict.Result.VALID);
        }
        for (int index : new int[] {0, 437, 599}) {
            Verdict verdict = verify(bundle(index, EARLIER_SIZE, receipt(registry, anchorEarlier, EARLIER_SIZE,
                    log.root(EARLIER_SIZE))).toJson(), records.get(index));
            assertThat(verdict.result()).as("leaf %d of %d: %s", index, EARLIER_SIZE, verdict.toText())
                    .isEqualTo(Verdict.Result.VALID);
        }
    }

    @Test
    void theCliAndItsExitCodes() throws Exception {
        Path proof = Files.writeString(dir.resolve("proof.json"),
                bundle(INDEX, RECORDS, receipt(registry, anchorFull, RECORDS, log.root(RECORDS))).toJson());
        Path record = Files.writeString(dir.resolve("record.json"), records.get(INDEX));
        Path tampered = Files.writeString(dir.resolve("tampered.json"), records.get(INDEX).replace("final", "finaL"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertThat(VerifierCli.run(new String[] {"--proof", proof.toString(), "--record", record.toString(), "--rpc",
                rpcUrl, "--chain-id", Long.toString(chainId), "--min-confirmations", "6"}, print, print))
                .as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(VerifierCli.run(new String[] {"--proof", proof.toString(), "--record", tampered.toString(),
                "--rpc", rpcUrl}, print, print)).isEqualTo(1);
        assertThat(VerifierCli.run(new String[] {"--proof", proof.toString(), "--record", record.toString(), "--rpc",
                rpcUrl, "--min-confirmations", "1000000"}, print, print)).isEqualTo(2);

        Path jar = Devnet.repoDir().resolve("verifier/target/caduceus-verifier.jar");
        Assumptions.assumeTrue(Files.exists(jar), "shaded jar not built: ./mvnw -pl verifier -am package");
        long start = System.nanoTime();
        Run run = javaJar(jar, "--proof", proof.toString(), "--record", record.toString(), "--rpc", rpcUrl, "--json");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output).contains("\"verdict\":\"valid\"");
        System.out.println("VerifierIT: java -jar caduceus-verifier.jar (JVM start included): " + millis + " ms, "
                + run.output.strip());
        assertThat(javaJar(jar, "--proof", proof.toString(), "--record", tampered.toString(), "--rpc", rpcUrl).exit)
                .isEqualTo(1);
        assertThat(javaJar(jar, "--proof", proof.toString(), "--rpc", nowhere()).exit).isEqualTo(2);
    }

    // ---- invalid ------------------------------------------------------------------------------------------------

    @Test
    void oneChangedByteOfTheRecordIsInvalid() {
        String bundle = bundle(INDEX, RECORDS, receipt(registry, anchorFull, RECORDS, log.root(RECORDS))).toJson();
        byte[] bytes = records.get(INDEX).getBytes(StandardCharsets.UTF_8);
        int at = records.get(INDEX).indexOf("obs-") + 4;
        bytes[at] ^= 0x01;
        Verdict verdict = verify(bundle, new String(bytes, StandardCharsets.UTF_8));
        assertThat(verdict.result()).as(verdict.toText()).isEqualTo(Verdict.Result.INVALID);
        assertThat(verdict.check("commitment").orElseThrow().outcome()).isEqualTo(ProofCheck.Outcome.FAILED);
        // The rest of the proof still holds: only the record is wrong.
        assertThat(verdict.check("on-chain-root").orElseThrow().outcome()).isEqualTo(ProofCheck.Outcome.PASSED);
    }

    @Test
    void oneChangedByteOfTheAuditPathIsInvalid() {
        ProofBundle genuine = bundle(INDEX, RECORDS, receipt(registry, anchorFull, RECORDS, log.root(RECORDS)));
        for (int i = 0; i < genuine.inclusion().auditPath().size(); i++) {
            String hex = genuine.inclusion().auditPath().get(i).hex();
            String flipped = hex.substring(0, 20) + (hex.charAt(20) == 'a' ? 'b' : 'a') + hex.substring(21);
            Verdict verdict = verify(genuine.toJson().replace(hex, flipped), records.get(INDEX));
            assertThat(verdict.result()).as("path hash %d", i).isEqualTo(Verdict.Result.INVALID);
            assertThat(verdict.check("inclusion").orElseThrow().outcome()).isEqualTo(ProofCheck.Outcome.FAILED);
        }
    }

    @Test
    void anotherRootIsInvalid() {
        // The bundle claims the other tree's root everywhere: the path no longer leads to it.
        ProofBundle genuine = bundle(INDEX, RECORDS, receipt(registry, anchorFull, RECORDS, log.root(RECORDS)));
        String substituted = genuine.toJson().replace(log.root(RECORDS).hex(), otherRoot.hex());
        Verdict verdict = verify(substituted, records.get(INDEX));
        assertThat(verdict.result()).as(verdict.toText()).isEqualTo(Verdict.Result.INVALID);
        assertThat(verdict.check("inclusion").orElseThrow().outcome()).isEqualTo(ProofCheck.Outcome.FAILED);
        // The chain is compared with the root the path really leads to, never with the bundle's claim.
        assertThat(verdict.check("on-chain-root").orElseThrow().detail()).contains(log.root(RECORDS).hex());
    }

    @Test
    void theAnchorOfAnotherTreeIsInvalid() {
        // Genuine proof, but the anchor named is a real anchor of a different tree in another registry.
        Verdict verdict = verify(bundle(INDEX, RECORDS, receipt(otherRegistry, otherAnchor, RECORDS, log.root(RECORDS)))
                .toJson(), records.get(INDEX));
        assertThat(verdict.result()).as(verdict.toText()).isEqualTo(Verdict.Result.INVALID);
        assertThat(verdict.check("on-chain-root").orElseThrow().detail()).contains(otherRoot.hex());
        assertThat(verdict.check("anchor-transaction").orElseThrow().outcome()).isEqualTo(ProofCheck.Outcome.FAILED);

        // Genuine proof to the earlier tree, but the anchoring transaction named is the later one.
        Verdict wrongTx = verify(bundle(INDEX, EARLIER_SIZE, receipt(registry, anchorFull, EARLIER_SIZE,
                log.root(EARLIER_SIZE))).toJson(), records.get(INDEX));
        assertThat(wrongTx.result()).as(wrongTx.toText()).isEqualTo(Verdict.Result.INVALID);
        assertThat(wrongTx.check("on-chain-root").orElseThrow().outcome()).isEqualTo(ProofCheck.Outcome.PASSED);
        assertThat(wrongTx.check("anchor-transaction").orElseThrow().outcome()).isEqualTo(ProofCheck.Outcome.FAILED);
    }

    @Test
    void aRootThatWasNeverAnchoredIsInvalid() {
        // A genuine proof to the 999-leaf tree, whose root nobody anchored, dressed in the real anchor's transaction.
        int size = RECORDS - 1;
        Verdict verdict = verify(bundle(INDEX, size, receipt(registry, anchorFull, size, log.root(size))).toJson(),
                records.get(INDEX));
        assertThat(verdict.result()).as(verdict.toText()).isEqualTo(Verdict.Result.INVALID);
        assertThat(verdict.check("on-chain-root").orElseThrow().detail()).contains("nothing is anchored");
    }

    // ---- could not decide ---------------------------------------------------------------------------------------

    @Test
    void anRpcUrlPointingNowhereCannotDecide() {
        String bundle = bundle(INDEX, RECORDS, receipt(registry, anchorFull, RECORDS, log.root(RECORDS))).toJson();
        Verdict verdict = ProofVerifier.verify(bundle, Optional.of(records.get(INDEX)), nowhere(),
                VerifierOptions.defaults().withRpcTimeout(Duration.ofSeconds(2)));
        assertThat(verdict.result()).as(verdict.toText()).isEqualTo(Verdict.Result.UNDECIDED);
        assertThat(verdict.exitCode()).isEqualTo(2);
    }

    @Test
    void aBundleNotAnchoredYetCannotDecide() {
        Verdict verdict = verify(bundle(INDEX, RECORDS, null).toJson(), records.get(INDEX));
        assertThat(verdict.result()).isEqualTo(Verdict.Result.UNDECIDED);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static Verdict verify(String bundle, String record) {
        return ProofVerifier.verify(bundle, Optional.of(record), rpcUrl, VerifierOptions.defaults());
    }

    private static ProofBundle bundle(int index, long size, AnchorReceipt anchor) {
        Digest commitment = commitments.get(index);
        return new ProofBundle(new RecordId("r2_" + commitment.hex().substring(0, 32)), commitment, Optional.of(salts.get(index)),
                log.inclusionProof(index, size), log.root(size), Optional.ofNullable(anchor));
    }

    private static AnchorReceipt receipt(String contract, EthereumReceipt tx, long treeSize, Digest root) {
        return new AnchorReceipt(chainId, contract, tx.transactionHash(), tx.blockNumber(), tx.blockTimestamp(), root,
                treeSize, CHANNEL, 12);
    }

    private static Credentials fundedKey(HttpService http) throws Exception {
        Credentials key = Credentials.create(Keys.createEcKeyPair(RANDOM));
        VoidResponse response = new Request<>("hardhat_setBalance", List.of(key.getAddress(), "0x56bc75e2d63100000"),
                http, VoidResponse.class).send();
        assertThat(response.hasError()).as("hardhat_setBalance").isFalse();
        return key;
    }

    private static String nowhere() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    record Run(int exit, String output) {
    }

    private static Run javaJar(Path jar, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        File output = File.createTempFile("verifier-it", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            return new Run(process.exitValue(), Files.readString(output.toPath()));
        } finally {
            Files.deleteIfExists(output.toPath());
        }
    }
}
