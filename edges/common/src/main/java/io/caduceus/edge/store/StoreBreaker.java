package io.caduceus.edge.store;

import io.caduceus.ingest.vault.VaultException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A circuit breaker in front of the store path (vault, then Kafka), so that while a dependency is known to be down a
 * sender's resends are refused in milliseconds instead of each waiting the whole store deadline.
 *
 * <p>CLOSED: everything goes through; {@code failureThreshold} dependency failures in a row, none older than
 * {@code window} before the last, open it. OPEN: everything is refused; after {@code openFor} the next message goes
 * through as the one trial (HALF_OPEN), everything else is still refused while it runs. The trial succeeding closes
 * the breaker, failing opens it again for another {@code openFor}; a trial that ended neither way (its content was
 * refused) hands the trial to the next message. A success of a message let through before the breaker opened closes
 * it too: the path works.
 *
 * <p>The trial's sender waits at most {@code trialTimeout} (short), not the whole store deadline: the sender whose
 * message happens to be the trial should not pay for finding out that the dependency is still down. The breaker itself
 * keeps waiting for the trial's steps, up to the store deadline, and is told their own outcome (see
 * {@link StoreDeadline}), so a dependency that is back but slow on its first request still closes it.
 *
 * <p>Only a dependency's failure counts ({@link #isDependencyFailure}): a message refused for its content, or a bug,
 * says nothing about the vault or Kafka and must not shut everyone else out.
 */
final class StoreBreaker {

    private static final Logger LOG = LoggerFactory.getLogger(StoreBreaker.class);

    enum State { CLOSED, HALF_OPEN, OPEN }

    /** What a caller may do: go through normally, go through as the half-open trial, or be refused. */
    enum Permit { PASS, TRIAL, REFUSED }

    private final int failureThreshold;
    private final long windowNanos;
    private final long openNanos;
    private final java.time.Duration trialTimeout;
    private final LongSupplier nanoClock;

    // The fast path of every message reads only this; transitions happen under the lock.
    private volatile State state = State.CLOSED;
    private volatile int failuresInRow;
    private long firstFailureAt;
    private long openedAt;
    private boolean trialRunning;
    private long openedSinceEpochMillis;
    private String lastFailure = "";

    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong opened = new AtomicLong();

    /** The trial's sender's longest wait when not configured: {@code caduceus.ingest.breaker.trial-timeout-ms}. */
    static final java.time.Duration DEFAULT_TRIAL_TIMEOUT = java.time.Duration.ofMillis(1500);

    StoreBreaker(int failureThreshold, java.time.Duration window, java.time.Duration openFor, LongSupplier nanoClock) {
        this(failureThreshold, window, openFor, DEFAULT_TRIAL_TIMEOUT, nanoClock);
    }

    /**
     * @param failureThreshold dependency failures in a row that open the breaker; 0 turns it off
     * @param window           how close together (first to last) those failures must be
     * @param openFor          how long it stays open before one message is let through as a trial
     * @param trialTimeout     the longest the trial's sender waits (at most the store deadline); positive
     */
    StoreBreaker(int failureThreshold, java.time.Duration window, java.time.Duration openFor,
                 java.time.Duration trialTimeout, LongSupplier nanoClock) {
        if (failureThreshold < 0 || window.isNegative() || openFor.isNegative()) {
            throw new IllegalArgumentException("breaker settings must not be negative");
        }
        if (trialTimeout.isNegative() || trialTimeout.isZero()) {
            throw new IllegalArgumentException("the breaker's trial timeout must be positive");
        }
        this.failureThreshold = failureThreshold;
        this.windowNanos = window.toNanos();
        this.openNanos = openFor.toNanos();
        this.trialTimeout = trialTimeout;
        this.nanoClock = nanoClock;
    }

    /** The longest the trial's sender waits; the breaker waits for the trial's own outcome. */
    java.time.Duration trialTimeout() {
        return trialTimeout;
    }

    Permit acquire() {
        if (state == State.CLOSED) {
            return Permit.PASS;
        }
        synchronized (this) {
            switch (state) {
                case CLOSED:
                    return Permit.PASS;
                case OPEN:
                    if (nanoClock.getAsLong() - openedAt >= openNanos) {
                        state = State.HALF_OPEN;
                        trialRunning = true;
                        LOG.info("store breaker half-open: one message goes through as a trial");
                        return Permit.TRIAL;
                    }
                    break;
                case HALF_OPEN:
                    if (!trialRunning) {
                        trialRunning = true;
                        return Permit.TRIAL;
                    }
                    break;
                default:
                    throw new IllegalStateException(state.name());
            }
        }
        refused.incrementAndGet();
        return Permit.REFUSED;
    }

    /** The outcome of a message that went through: {@code failure} null on success. */
    void completed(Permit permit, Throwable failure) {
        if (permit == Permit.REFUSED) {
            return;
        }
        boolean dependency = failure != null && isDependencyFailure(failure);
        if (failure == null) {
            // Fast path: a success with nothing to reset.
            if (state == State.CLOSED && failuresInRow == 0) {
                return;
            }
            synchronized (this) {
                if (state != State.CLOSED) {
                    LOG.info("store breaker closed: a message was stored after {} ms open",
                            TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - openedAt));
                }
                state = State.CLOSED;
                failuresInRow = 0;
                trialRunning = false;
            }
            return;
        }
        synchronized (this) {
            if (!dependency) {
                if (permit == Permit.TRIAL) {
                    trialRunning = false; // says nothing: the next message is the trial
                }
                return;
            }
            lastFailure = failure.getClass().getSimpleName();
            long now = nanoClock.getAsLong();
            if (permit == Permit.TRIAL) {
                trialRunning = false;
                open(now, "the trial message failed too (" + lastFailure + ")");
                return;
            }
            if (state != State.CLOSED) {
                return; // a message let in before the breaker opened: already counted against the dependency
            }
            if (failuresInRow == 0 || now - firstFailureAt > windowNanos) {
                failuresInRow = 1;
                firstFailureAt = now;
            } else {
                failuresInRow++;
            }
            if (failureThreshold > 0 && failuresInRow >= failureThreshold) {
                open(now, failuresInRow + " store failures in a row (last " + lastFailure + ")");
            }
        }
    }

    private void open(long now, String why) {
        if (state == State.CLOSED) {
            openedSinceEpochMillis = System.currentTimeMillis();
            opened.incrementAndGet();
            LOG.warn("store breaker open: {}; messages are answered 'please resend' at once for {} ms, then one trial",
                    why, TimeUnit.NANOSECONDS.toMillis(openNanos));
        }
        state = State.OPEN;
        openedAt = now;
    }

    /**
     * Whether a failure of the store steps says the vault or Kafka cannot take messages now: the deadline passed or
     * no worker was free, the vault failed in a way a retry may cure, or Kafka failed in a way it calls retriable
     * (its delivery timeout, no leader, a lost connection). Everything else, a message refused for its content, an
     * erased record, a record too large for Kafka, a bug, does not.
     */
    static boolean isDependencyFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StoreTimeoutException || t instanceof RetriableException) {
                return true;
            }
            if (t instanceof VaultException vault) {
                return vault.isRetriable();
            }
        }
        return false;
    }

    State state() {
        return state;
    }

    long refused() {
        return refused.get();
    }

    long opened() {
        return opened.get();
    }

    /** For {@code GET /api/status}. */
    synchronized Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("state", state.name());
        snapshot.put("enabled", failureThreshold > 0);
        snapshot.put("failureThreshold", failureThreshold);
        snapshot.put("openMillis", TimeUnit.NANOSECONDS.toMillis(openNanos));
        snapshot.put("trialTimeoutMillis", trialTimeout.toMillis());
        snapshot.put("failuresInRow", failuresInRow);
        snapshot.put("timesOpened", opened.get());
        snapshot.put("refused", refused.get());
        if (state != State.CLOSED) {
            snapshot.put("openSince", Instant.ofEpochMilli(openedSinceEpochMillis).toString());
        }
        if (!lastFailure.isEmpty()) {
            snapshot.put("lastFailure", lastFailure);
        }
        return snapshot;
    }
}
