package io.caduceus.edge.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.adapters.ethereum.AnchorRegistryContract;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.merkle.InclusionProof;
import io.caduceus.core.merkle.MerkleLog;
import io.caduceus.core.merkle.MerkleLogs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.FunctionEncoder;

/**
 * The console's in-browser verifier (console/proof-verify.js) against the Java implementation it mirrors, run by
 * Node.js (the project's tool for hardhat): every inclusion proof of a 13-leaf log from core's Merkle log passes, each
 * with one path hash changed fails, and its Keccak-256 gives web3j's selector of {@code rootAt(uint64)} and topic of
 * {@code Anchored}. The browser itself runs it in ConsoleIT against the devnet's chain.
 */
class ProofVerifyScriptTest {

    @TempDir
    Path dir;

    @Test
    void theBrowsersVerifierAgreesWithCoresMerkleProofsAndWeb3jsEncoding() throws Exception {
        Path node = nodeBinary();
        SecureRandom random = new SecureRandom();
        List<Object> cases = new ArrayList<>();
        try (MerkleLog log = MerkleLogs.inMemory()) {
            List<byte[]> commitments = new ArrayList<>();
            for (int i = 0; i < 13; i++) {
                byte[] c = new byte[32];
                random.nextBytes(c);
                commitments.add(c);
                log.append(c);
            }
            for (long size = 1; size <= 13; size++) {
                for (long index = 0; index < size; index++) {
                    InclusionProof proof = log.inclusionProof(index, size);
                    List<String> path = proof.auditPath().stream().map(Digest::hex).toList();
                    String commitment = Digest.of(commitments.get((int) index)).hex();
                    cases.add(Map.of("bundle", bundle(commitment, index, size, log.root(size).hex(), path), "expect", "passed"));
                    if (!path.isEmpty()) {
                        List<String> tampered = new ArrayList<>(path);
                        String first = tampered.get(0);
                        tampered.set(0, (first.charAt(0) == '0' ? '1' : '0') + first.substring(1));
                        cases.add(Map.of("bundle", bundle(commitment, index, size, log.root(size).hex(), tampered),
                                "expect", "failed"));
                    }
                }
            }
        }
        Path input = Files.writeString(dir.resolve("cases.json"), CanonicalJson.write(cases));
        Path script = Files.writeString(dir.resolve("run.js"), """
                const p = require(process.argv[2]);
                const cases = JSON.parse(require('fs').readFileSync(process.argv[3], 'utf8'));
                (async () => {
                  const outcomes = [];
                  for (const c of cases) {
                    const v = await p.verify(c.bundle, '', 'http://127.0.0.1:9');
                    const inclusion = v.checks.find((k) => k.name === 'inclusion');
                    outcomes.push(inclusion.outcome === c.expect && v.result === (c.expect === 'passed' ? 'undecided' : 'invalid'));
                  }
                  console.log(JSON.stringify({ ok: outcomes.filter((o) => o).length, total: outcomes.length,
                    rootAt: p.keccak256Hex('rootAt(uint64)').slice(0, 8),
                    anchored: p.keccak256Hex('Anchored(uint64,bytes32,bytes32,uint64)') }));
                })();
                """);
        Path verifier = Path.of(ProofVerifyScriptTest.class.getResource("/console/proof-verify.js").toURI());
        Process run = new ProcessBuilder(node.toString(), script.toString(), verifier.toString(), input.toString())
                .redirectErrorStream(true).start();
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(run.exitValue()).as(out).isZero();
        Map<?, ?> result = (Map<?, ?>) CanonicalJson.parse(out.lines().reduce((a, b) -> b).orElseThrow());
        assertThat(((Number) result.get("total")).intValue()).isEqualTo(cases.size()).isGreaterThan(150);
        assertThat(result.get("ok")).as(out).isEqualTo(result.get("total"));
        assertThat("0x" + result.get("rootAt")).isEqualTo(FunctionEncoder.encode(AnchorRegistryContract.rootAtFunction(1)).substring(0, 10));
        assertThat("0x" + result.get("anchored")).isEqualTo(AnchorRegistryContract.ANCHORED_TOPIC);
    }

    private static String bundle(String commitment, long index, long size, String root, List<String> path) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("format", "caduceus.proof.v1");
        b.put("recordId", "r2_" + "0".repeat(32));
        b.put("commitment", Map.of("scheme", "hmac-sha256-salted-v1", "value", commitment));
        b.put("leaf", Map.of("index", index, "hash", "not used"));
        b.put("tree", Map.of("size", size, "root", root, "auditPath", path));
        return CanonicalJson.write(b);
    }

    private static Path nodeBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, "node");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        Assumptions.abort("Node.js is not on PATH (it is a project tool, for hardhat): the browser verifier is not run");
        return null;
    }
}
