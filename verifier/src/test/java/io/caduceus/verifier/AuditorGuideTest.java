package io.caduceus.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.adapters.ethereum.AnchorRegistryContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.FunctionEncoder;

/**
 * docs/auditor-guide.md gives auditors constants and a script to check bundles without this verifier; a wrong
 * selector or a script that drifted from the format would send them chasing false alarms, so both are tested here.
 */
class AuditorGuideTest {

    static final Path GUIDE = Path.of("..", "docs", "auditor-guide.md");

    @TempDir
    Path dir;

    @Test
    void theGuidesConstantsAreTheContractsAbi() throws Exception {
        String guide = Files.readString(GUIDE);
        String selector = FunctionEncoder.encode(AnchorRegistryContract.rootAtFunction(0)).substring(0, 10);
        assertThat(guide).contains(selector).contains(AnchorRegistryContract.ANCHORED_TOPIC);
    }

    @Test
    void theGuidesPythonScriptAgreesWithTheVerifier() throws Exception {
        Assumptions.assumeTrue(python() != null, "python3 not installed");
        String guide = Files.readString(GUIDE);
        int begin = guide.indexOf("```python\n", guide.indexOf("<!-- check_bundle.py: begin"));
        int end = guide.indexOf("```\n<!-- check_bundle.py: end");
        assertThat(begin).isPositive();
        assertThat(end).isGreaterThan(begin);
        Path script = Files.writeString(dir.resolve("check_bundle.py"), guide.substring(begin + 10, end));

        Fixture fixture = new Fixture(13);
        for (int index : new int[] {0, 9, 12}) {
            Path proof = Files.writeString(dir.resolve("proof.json"), fixture.bundleJson(index));
            Path record = Files.writeString(dir.resolve("record.json"), fixture.records.get(index));
            Path other = Files.writeString(dir.resolve("other.json"), fixture.records.get((index + 1) % 13));
            assertThat(run(script, proof.toString(), record.toString())).as("leaf %d", index).isZero();
            assertThat(run(script, proof.toString(), other.toString())).as("another record").isEqualTo(1);
        }
        // JCS numbers: the same content written with a trailing zero and an exponent still opens the commitment.
        Path proof = Files.writeString(dir.resolve("proof.json"), fixture.bundleJson(4));
        Path respelled = Files.writeString(dir.resolve("respelled.json"), fixture.records.get(4).replace("1.50", "15.0e-1"));
        assertThat(run(script, proof.toString(), respelled.toString())).isZero();

        var log = fixture.log;
        for (long[] mn : new long[][] {{1, 13}, {8, 13}, {5, 12}}) {
            List<String> args = new java.util.ArrayList<>(List.of("--consistency", Long.toString(mn[0]),
                    Long.toString(mn[1]), log.root(mn[0]).hex(), log.root(mn[1]).hex()));
            log.consistencyProof(mn[0], mn[1]).path().forEach(d -> args.add(d.hex()));
            assertThat(run(script, args.toArray(String[]::new))).as("consistency %d -> %d", mn[0], mn[1]).isZero();
            args.set(3, log.root(mn[0] + 1).hex());
            assertThat(run(script, args.toArray(String[]::new))).as("wrong first root").isEqualTo(1);
        }
    }

    private static String python() {
        for (String candidate : new String[] {"python3", "/usr/bin/python3"}) {
            try {
                Process p = new ProcessBuilder(candidate, "--version").redirectErrorStream(true).start();
                if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (Exception e) {
                // try the next one
            }
        }
        return null;
    }

    private int run(Path script, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(python(), script.toString()));
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        System.out.print(Files.readString(out, StandardCharsets.UTF_8));
        return p.exitValue();
    }
}
