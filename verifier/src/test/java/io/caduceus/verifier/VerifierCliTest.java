package io.caduceus.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.json.CanonicalJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifierCliTest {

    @TempDir
    Path dir;

    private final Fixture fixture = new Fixture(5);
    private FakeChain chain;
    private Path proof;
    private Path record;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws Exception {
        chain = new FakeChain().holding(5, fixture.root());
        proof = Files.writeString(dir.resolve("proof.json"), fixture.bundleJson(3));
        record = Files.writeString(dir.resolve("record.json"), fixture.records.get(3));
    }

    @AfterEach
    void tearDown() {
        chain.close();
    }

    private int run(String... args) {
        return VerifierCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void validExitsZeroWithAReport() {
        assertThat(run("--proof", proof.toString(), "--record", record.toString(), "--rpc", chain.url())).isZero();
        assertThat(stdout()).contains("verdict: VALID").contains("verified in");
    }

    @Test
    void jsonOutputIsOneCanonicalObject() {
        assertThat(run("--proof", proof.toString(), "--record", record.toString(), "--rpc", chain.url(), "--json"))
                .isZero();
        String line = stdout().strip();
        assertThat(CanonicalJson.canonicalString(line)).isEqualTo(line);
        assertThat(((Map<?, ?>) CanonicalJson.parse(line)).get("verdict")).isEqualTo("valid");
    }

    @Test
    void aTamperedRecordExitsOne() throws Exception {
        Files.writeString(record, fixture.records.get(3).replace("obs-3", "obs-4"));
        assertThat(run("--proof", proof.toString(), "--record", record.toString(), "--rpc", chain.url())).isEqualTo(1);
        assertThat(stdout()).contains("FAILED").contains("verdict: INVALID (exit 1)");
    }

    @Test
    void aMalformedBundleExitsTwo() throws Exception {
        Files.writeString(proof, "{\"format\":\"caduceus.proof.v1\"}");
        assertThat(run("--proof", proof.toString(), "--rpc", chain.url())).isEqualTo(2);
        assertThat(stdout()).contains("COULD NOT DECIDE");
    }

    @Test
    void requirementsAreOptions() {
        assertThat(run("--proof", proof.toString(), "--rpc", chain.url(), "--min-confirmations", "100")).isEqualTo(2);
        assertThat(run("--proof", proof.toString(), "--rpc", chain.url(), "--chain-id", "1")).isEqualTo(1);
        assertThat(run("--proof", proof.toString(), "--rpc", chain.url(), "--chain-id", "31337", "--timeout", "5"))
                .isZero();
    }

    @Test
    void unusableArgumentsAndMissingFilesExitTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(run("--proof", proof.toString())).isEqualTo(2);
        assertThat(run("--proof", proof.toString(), "--rpc")).isEqualTo(2);
        assertThat(run("--proof", proof.toString(), "--rpc", chain.url(), "--min-confirmations", "many")).isEqualTo(2);
        assertThat(run("--proof", proof.toString(), "--rpc", chain.url(), "--frobnicate")).isEqualTo(2);
        assertThat(run("--proof", dir.resolve("missing.json").toString(), "--rpc", chain.url())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage:");
    }

    @Test
    void aRecordThatIsNotUtf8ExitsTwo() throws Exception {
        Files.write(record, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}'});
        assertThat(run("--proof", proof.toString(), "--record", record.toString(), "--rpc", chain.url())).isEqualTo(2);
    }

    @Test
    void helpExitsZero() {
        assertThat(run("--help")).isZero();
        assertThat(stdout()).contains("exit status: 0 valid, 1 invalid, 2 could not decide");
    }
}
