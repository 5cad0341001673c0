package io.caduceus.ingest.ledger;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Retries a ledger call on {@link LedgerException#isRetriable() retriable} failures only: exponential backoff with
 * jitter, bounded both by a number of attempts and by the total time spent. Anything else, and the last retriable
 * failure once the budget is spent, reaches the caller unchanged. Immutable and thread-safe.
 */
public final class RetryPolicy {

    /** Sleeps; replaced in tests so that no real time passes. */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** Told about each retry before the backoff, e.g. to count retries. */
    public interface RetryListener {
        void retrying(int failedAttempt, Duration backoff, LedgerException failure);
    }

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final double multiplier;
    private final double jitter;
    private final Duration maxElapsed;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private final DoubleSupplier random;

    /**
     * @param maxAttempts total attempts, the first included (1 means no retry)
     * @param initialBackoff the wait after the first failure
     * @param maxBackoff the cap of any single wait, before jitter
     * @param multiplier how much each wait grows, at least 1
     * @param jitter 0 to 1: each wait is spread uniformly over +/- this fraction, so that writers that failed together
     *     (one orderer outage) do not retry in lockstep
     * @param maxElapsed no retry starts when its wait would end later than this after the first attempt began
     */
    public RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier, double jitter,
            Duration maxElapsed) {
        this(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, maxElapsed, System::nanoTime,
                duration -> Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000),
                () -> ThreadLocalRandom.current().nextDouble());
    }

    RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier, double jitter,
            Duration maxElapsed, LongSupplier nanoTime, Sleeper sleeper, DoubleSupplier random) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("at least one attempt");
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0 || maxElapsed.isNegative()) {
            throw new IllegalArgumentException("backoffs must satisfy 0 <= initial <= max, and max elapsed >= 0");
        }
        if (!(multiplier >= 1.0) || !(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("multiplier must be >= 1 and jitter within [0, 1]");
        }
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.multiplier = multiplier;
        this.jitter = jitter;
        this.maxElapsed = maxElapsed;
        this.nanoTime = Objects.requireNonNull(nanoTime);
        this.sleeper = Objects.requireNonNull(sleeper);
        this.random = Objects.requireNonNull(random);
    }

    /** How long {@link #defaults()} keeps retrying. */
    public static final Duration DEFAULT_BUDGET = Duration.ofMinutes(2);

    /**
     * Bounded by time, not by a count: 200 ms doubling to at most 5 s, 20 % jitter, for up to 2 minutes. What a
     * retry must outlast is measured in seconds: a Java chaincode restart (6-20 s) followed by the gateway's reconnect
     * to a peer (up to ~10 s), an orderer election. A count of attempts ran out after ~25 s, before either was over.
     */
    public static RetryPolicy defaults() {
        return new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(200), Duration.ofSeconds(5), 2.0, 0.2,
                DEFAULT_BUDGET);
    }

    /** {@link #defaults()} on a given clock, sleeper and random source, for tests. */
    static RetryPolicy defaults(LongSupplier nanoTime, Sleeper sleeper, DoubleSupplier random) {
        RetryPolicy d = defaults();
        return new RetryPolicy(d.maxAttempts, d.initialBackoff, d.maxBackoff, d.multiplier, d.jitter, d.maxElapsed,
                nanoTime, sleeper, random);
    }

    /** Fails on the first failure. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0, 0.0, Duration.ZERO);
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** The time budget: no retry starts whose wait would end later than this after the first attempt began. */
    public Duration maxElapsed() {
        return maxElapsed;
    }

    public <T> T call(Supplier<T> action) {
        return call(action, (attempt, backoff, failure) -> { });
    }

    /**
     * Runs {@code action} until it succeeds, fails permanently or the budget is spent. If the thread is interrupted
     * while waiting, the last failure is thrown at once and the interrupt flag is kept.
     */
    public <T> T call(Supplier<T> action, RetryListener listener) {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(listener, "listener");
        long start = nanoTime.getAsLong();
        for (int attempt = 1; ; attempt++) {
            try {
                return action.get();
            } catch (LedgerException failure) {
                if (!failure.isRetriable() || attempt >= maxAttempts) {
                    throw failure;
                }
                Duration wait = backoff(attempt);
                long elapsed = nanoTime.getAsLong() - start;
                if (elapsed + wait.toNanos() > maxElapsed.toNanos()) {
                    throw failure;
                }
                listener.retrying(attempt, wait, failure);
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw failure;
                }
            }
        }
    }

    /** The wait after failed attempt {@code attempt} (1-based), jitter included. */
    Duration backoff(int attempt) {
        double base = initialBackoff.toNanos() * Math.pow(multiplier, attempt - 1);
        double capped = Math.min(base, maxBackoff.toNanos());
        double spread = 1.0 + jitter * (2.0 * random.getAsDouble() - 1.0);
        return Duration.ofNanos(Math.max(0L, Math.round(capped * spread)));
    }

    @Override
    public String toString() {
        return "RetryPolicy[attempts=" + maxAttempts + ", backoff=" + initialBackoff + ".." + maxBackoff + " x"
                + multiplier + " +/-" + jitter + ", maxElapsed=" + maxElapsed + "]";
    }
}
