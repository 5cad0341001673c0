package io.caduceus.ingest.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.ingest.ledger.LedgerException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RetryPolicyTest {

    /** Time only moves when the policy sleeps (plus what an attempt is made to cost). */
    private final AtomicLong now = new AtomicLong();
    private final List<Duration> sleeps = new ArrayList<>();

    private RetryPolicy policy(int attempts, Duration maxElapsed, double jitter, double random) {
        return new RetryPolicy(attempts, Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, jitter, maxElapsed,
                now::get, d -> {
                    sleeps.add(d);
                    now.addAndGet(d.toNanos());
                }, () -> random);
    }

    @Test
    void retriesRetriableFailuresThenSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        List<Integer> retried = new ArrayList<>();
        String result = policy(5, Duration.ofMinutes(1), 0, 0.5).call(() -> {
            if (calls.incrementAndGet() < 3) {
                throw new LedgerException(Kind.UNAVAILABLE, "down");
            }
            return "ok";
        }, (attempt, backoff, failure) -> retried.add(attempt));
        assertThat(result).isEqualTo("ok");
        assertThat(calls).hasValue(3);
        assertThat(retried).containsExactly(1, 2);
        assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void onlyRetriableKindsAreRetried(Kind kind) {
        AtomicInteger calls = new AtomicInteger();
        LedgerException failure = new LedgerException(kind, "x");
        assertThatThrownBy(() -> policy(3, Duration.ofMinutes(1), 0, 0.5).call(() -> {
            calls.incrementAndGet();
            throw failure;
        })).isSameAs(failure);
        assertThat(calls).hasValue(kind.retriable() ? 3 : 1);
    }

    @Test
    void otherExceptionsAreNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> policy(3, Duration.ofMinutes(1), 0, 0.5).call(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException("bug");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void backoffGrowsExponentiallyUpToTheCap() {
        RetryPolicy p = policy(10, Duration.ofMinutes(1), 0, 0.5);
        assertThat(p.backoff(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(p.backoff(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.backoff(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(p.backoff(5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.backoff(30)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void jitterSpreadsTheWaitBothWays() {
        assertThat(policy(3, Duration.ofMinutes(1), 0.2, 0.0).backoff(1)).isEqualTo(Duration.ofMillis(80));
        assertThat(policy(3, Duration.ofMinutes(1), 0.2, 1.0).backoff(1)).isEqualTo(Duration.ofMillis(120));
        assertThat(policy(3, Duration.ofMinutes(1), 0.2, 0.5).backoff(1)).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void stopsBeforeAWaitThatWouldPassMaxElapsed() {
        AtomicInteger calls = new AtomicInteger();
        // Waits 100, 200, 400: the third would end at 700 ms > 500 ms.
        assertThatThrownBy(() -> policy(10, Duration.ofMillis(500), 0, 0.5).call(() -> {
            calls.incrementAndGet();
            throw new LedgerException(Kind.TIMEOUT, "slow");
        })).isInstanceOf(LedgerException.class);
        assertThat(calls).hasValue(3);
        assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void timeSpentInAttemptsCountsTowardsMaxElapsed() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> policy(10, Duration.ofSeconds(1), 0, 0.5).call(() -> {
            calls.incrementAndGet();
            now.addAndGet(Duration.ofMillis(600).toNanos()); // each attempt hits a 600 ms deadline
            throw new LedgerException(Kind.TIMEOUT, "slow");
        })).isInstanceOf(LedgerException.class);
        // 600 + 100 fits in 1 s; 1300 + 200 does not.
        assertThat(calls).hasValue(2);
    }

    @Test
    void interruptionStopsRetryingAndKeepsTheFlag() {
        LedgerException failure = new LedgerException(Kind.UNAVAILABLE, "down");
        RetryPolicy p = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 0, Duration.ofMinutes(1),
                now::get, d -> {
                    throw new InterruptedException();
                }, () -> 0.5);
        try {
            assertThatThrownBy(() -> p.call(() -> {
                throw failure;
            })).isSameAs(failure);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void noneFailsOnTheFirstFailure() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> RetryPolicy.none().call(() -> {
            calls.incrementAndGet();
            throw new LedgerException(Kind.UNAVAILABLE, "down");
        })).isInstanceOf(LedgerException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void realSleeperWaitsRoughlyTheBackoff() {
        RetryPolicy p = new RetryPolicy(2, Duration.ofMillis(20), Duration.ofMillis(20), 1.0, 0, Duration.ofSeconds(5));
        AtomicInteger calls = new AtomicInteger();
        long start = System.nanoTime();
        assertThat(p.call(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new LedgerException(Kind.UNAVAILABLE, "down");
            }
            return 1;
        })).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(20));
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, 1, 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(2), Duration.ofSeconds(1), 1, 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 0.5, 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1, 1.5, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultsOutlastAChaincodeRestartPlusAReconnectAndStopAtTheirTimeBudget() {
        long[] now = {0};
        RetryPolicy policy = RetryPolicy.defaults(() -> now[0], d -> now[0] += d.toNanos(), () -> 1.0);
        LedgerException down = new LedgerException(LedgerException.Kind.UNAVAILABLE, "chaincode restarting");
        long backAt = Duration.ofSeconds(45).toNanos();

        String answer = policy.call(() -> {
            if (now[0] < backAt) {
                throw down;
            }
            return "committed";
        });

        assertThat(answer).isEqualTo("committed");
        now[0] = 0;
        assertThatThrownBy(() -> policy.call(() -> {
            throw down;
        })).isSameAs(down);
        assertThat(Duration.ofNanos(now[0])).isLessThanOrEqualTo(RetryPolicy.DEFAULT_BUDGET)
                .isGreaterThan(RetryPolicy.DEFAULT_BUDGET.minusSeconds(7));
    }
}
