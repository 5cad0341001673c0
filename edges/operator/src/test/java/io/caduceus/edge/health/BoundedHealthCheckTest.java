package io.caduceus.edge.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BoundedHealthCheckTest {

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong();

    /** A dependency whose answer the test sets, counting how often it is asked. */
    private final class Dependency extends BoundedHealthCheck {
        final AtomicInteger probes = new AtomicInteger();
        volatile boolean up = true;
        volatile CountDownLatch hang;

        Dependency() {
            super("dependency", clock::get);
            bounds(Duration.ofSeconds(2), Duration.ofMillis(300));
        }

        @Override
        protected Finding probe() throws Exception {
            probes.incrementAndGet();
            CountDownLatch latch = hang;
            if (latch != null) {
                latch.await();
            }
            if (!up) {
                throw new java.io.IOException("refused");
            }
            return Finding.up(Map.of());
        }
    }

    @Test
    void pollsWithinTheCachePeriodCostNoProbe() {
        Dependency check = new Dependency();
        for (int i = 0; i < 50; i++) {
            assertThat(check.current().up()).isTrue();
        }
        assertThat(check.probes).hasValue(1);
        check.up = false;
        clock.addAndGet(Duration.ofMillis(1_999).toNanos());
        assertThat(check.current().up()).as("still cached").isTrue();
        clock.addAndGet(Duration.ofMillis(1).toNanos());
        BoundedHealthCheck.Finding down = check.current();
        assertThat(down.up()).isFalse();
        assertThat(down.message()).isEqualTo("IOException");
        assertThat(check.probes).hasValue(2);
    }

    @Test
    void aProbeThatHangsIsDownAtTheDeadlineAndIsNotStartedAgainWhileItHangs() throws Exception {
        Dependency check = new Dependency();
        CountDownLatch hang = new CountDownLatch(1);
        check.hang = hang;
        try {
            long started = System.nanoTime();
            BoundedHealthCheck.Finding finding = check.current();
            assertThat(finding.up()).isFalse();
            assertThat(finding.message()).isEqualTo("no answer within 300 ms");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(5_000);
            clock.addAndGet(Duration.ofSeconds(10).toNanos());
            // Past its deadline: answered DOWN without waiting, by the same probe.
            assertThat(check.current().up()).isFalse();
            assertThat(check.probes).hasValue(1);
        } finally {
            check.hang = null;
            hang.countDown();
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> check.current().up());
        assertThat(check.probes).as("the late answer was kept, not asked again").hasValue(1);
    }

    @Test
    void theFileVaultIsDownWhenClosedOrShortOfSpace() throws Exception {
        FileRecordVault vault = FileRecordVault.open(dir.resolve("vault"), MasterKey.of(new java.security.SecureRandom().generateSeed(32)));
        VaultHealthCheck ready = new VaultHealthCheck(vault, "file", 0);
        ready.bounds(Duration.ZERO, Duration.ofSeconds(5));
        assertThat(ready.current().up()).isTrue();
        VaultHealthCheck full = new VaultHealthCheck(vault, "file", Long.MAX_VALUE);
        full.bounds(Duration.ZERO, Duration.ofSeconds(5));
        assertThat(full.current().up()).isFalse();
        assertThat(full.current().message()).startsWith("file vault disk has ").endsWith("below " + Long.MAX_VALUE);
        vault.close();
        assertThat(ready.current().up()).isFalse();
        assertThat(ready.current().message()).isEqualTo("file vault closed");
    }
}
