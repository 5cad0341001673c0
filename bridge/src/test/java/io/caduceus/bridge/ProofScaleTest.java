package io.caduceus.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.proof.OffChainProofVerifier;
import io.caduceus.core.proof.ProofBundle;
import io.caduceus.core.proof.ProofCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a regression test: prints proof-building and verification cost at large log sizes, for the capacity notes.
 * {@code ./mvnw -pl bridge verify -Dtest=ProofScaleTest -Dbridge.measure.sizes=1000000,10000000}; needs about 130 bytes
 * of disk per entry in the temp folder, deleted afterwards.
 */
@EnabledIfSystemProperty(named = "bridge.measure.sizes", matches = "[0-9,]+")
class ProofScaleTest {

    private static final int SAMPLES = 2_000;

    @Test
    void measure() throws Exception {
        for (String size : System.getProperty("bridge.measure.sizes").split(",")) {
            measure(Long.parseLong(size));
        }
    }

    private void measure(long n) throws Exception {
        Path dir = Files.createTempDirectory("bridge-scale");
        try {
            FakeChain chain = new FakeChain();
            long appendStart = System.nanoTime();
            try (AnchoringLog log = AnchoringLog.open(dir.resolve("log"))) {
                for (long from = 0; from < n; from += 10_000) {
                    log.append(Entries.range(from, Math.min(n, from + 10_000)), "p" + from, from / 10_000);
                }
            }
            double appendSeconds = (System.nanoTime() - appendStart) / 1e9;
            long openStart = System.nanoTime();
            try (AnchoringLog log = AnchoringLog.open(dir.resolve("log"))) {
                double openSeconds = (System.nanoTime() - openStart) / 1e9;
                Anchorer anchorer = Anchorer.open(dir.resolve("anchors"), log,
                        new AnchorPolicy(1, Duration.ofHours(1), 0, "caduceus"),
                        new AnchorChain(FakeChain.CHAIN_ID, FakeChain.CONTRACT, chain, chain), r -> { });
                anchorer.anchorIfDue(Instant.EPOCH);
                anchorer.confirmPending(chain.latestBlock());
                ProofService proofs = ProofService.of(log, anchorer);
                SplittableRandom random = new SplittableRandom(42);
                long[] picks = random.longs(SAMPLES, 0, n).toArray();
                String[] json = new String[SAMPLES];
                for (int warm = 0; warm < 2; warm++) {
                    long buildNanos = 0;
                    long verifyNanos = 0;
                    long bytes = 0;
                    for (int i = 0; i < SAMPLES; i++) {
                        long t0 = System.nanoTime();
                        ProofBundle bundle = proofs.proofFor(Entries.recordId(picks[i]));
                        json[i] = bundle.toJson();
                        long t1 = System.nanoTime();
                        ProofBundle parsed = ProofBundle.fromJson(json[i]);
                        boolean ok = OffChainProofVerifier.verify(parsed, Optional.empty()).stream()
                                .noneMatch(c -> c.outcome() == ProofCheck.Outcome.FAILED);
                        long t2 = System.nanoTime();
                        assertThat(ok).isTrue();
                        buildNanos += t1 - t0;
                        verifyNanos += t2 - t1;
                        bytes += json[i].getBytes(StandardCharsets.UTF_8).length;
                    }
                    if (warm == 1) {
                        System.out.printf("ProofScale n=%d: append %.1f s (%.0f entries/s), reopen %.2f s, disk %d MB, "
                                        + "proof build+serialize %.1f us, parse+verify %.1f us, bundle %d bytes (avg of %d)%n",
                                n, appendSeconds, n / appendSeconds, openSeconds, du(dir) >> 20,
                                buildNanos / 1e3 / SAMPLES, verifyNanos / 1e3 / SAMPLES, bytes / SAMPLES, SAMPLES);
                    }
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long du(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
