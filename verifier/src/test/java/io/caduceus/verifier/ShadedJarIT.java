package io.caduceus.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code target/caduceus-verifier.jar} (runs after {@code package}, under failsafe): nothing of the
 * middleware's stack inside, a working Main-Class, and a real run against a fake node in a separate JVM, so a class
 * lost by shading or a signature file left in shows up here and not at an auditor's desk.
 */
class ShadedJarIT {

    static final Path JAR = Path.of("target", "caduceus-verifier.jar");
    static final List<String> FORBIDDEN = List.of("org/apache/camel/", "org/apache/kafka/", "org/hyperledger/",
            "ca/uhn/");

    @TempDir
    Path dir;

    @Test
    void theJarHoldsNoCamelKafkaFabricOrHapi() throws Exception {
        assertThat(JAR).exists();
        List<String> offending = new ArrayList<>();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(VerifierCli.class.getName());
            Collections.list(jar.entries()).forEach(e -> {
                String name = e.getName();
                if (FORBIDDEN.stream().anyMatch(name::startsWith)
                        || name.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)")) {
                    offending.add(name);
                }
            });
            assertThat(jar.getEntry("io/caduceus/verifier/ProofVerifier.class")).isNotNull();
            assertThat(jar.getEntry("io/caduceus/core/merkle/MerkleProofs.class")).isNotNull();
            assertThat(jar.getEntry("org/web3j/abi/FunctionEncoder.class")).isNotNull();
        }
        assertThat(offending).as("forbidden entries in " + JAR).isEmpty();
        System.out.printf("caduceus-verifier.jar: %,d bytes%n", Files.size(JAR));
    }

    @Test
    void theJarRunsAndAnswersWithTheExitCodes() throws Exception {
        Fixture fixture = new Fixture(20);
        Path proof = Files.writeString(dir.resolve("proof.json"), fixture.bundleJson(11));
        Path record = Files.writeString(dir.resolve("record.json"), fixture.records.get(11));
        Path tampered = Files.writeString(dir.resolve("tampered.json"), fixture.records.get(12));
        try (FakeChain chain = new FakeChain().holding(20, fixture.root())) {
            Result valid = java("--proof", proof.toString(), "--record", record.toString(), "--rpc", chain.url());
            assertThat(valid.exit).as(valid.output).isZero();
            assertThat(valid.output).contains("verdict: VALID").doesNotContain("SLF4J");
            Result json = java("--proof", proof.toString(), "--record", record.toString(), "--rpc", chain.url(), "--json");
            assertThat(json.exit).as(json.output).isZero();
            assertThat(json.output.strip()).startsWith("{\"anchor\":{").contains("\"verdict\":\"valid\"");
            Result invalid = java("--proof", proof.toString(), "--record", tampered.toString(), "--rpc", chain.url());
            assertThat(invalid.exit).as(invalid.output).isEqualTo(1);
        }
        Result down = java("--proof", proof.toString(), "--rpc", ProofVerifierTest.closedPortUrl());
        assertThat(down.exit).as(down.output).isEqualTo(2);
    }

    record Result(int exit, String output) {
    }

    static Result java(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        command.addAll(List.of(args));
        File log = File.createTempFile("verifier", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("verifier finished").isTrue();
            return new Result(process.exitValue(), Files.readString(log.toPath(), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log.toPath());
        }
    }
}
