package io.caduceus.adapters.kafka;

import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;

/**
 * The life of a background thread that reads Kafka until stopped and, when Kafka or what it feeds fails, drops its
 * consumer and starts over after a growing pause (from the committed offsets, or wherever its pass seeks): whether it
 * still runs, the consumer to wake when it must stop, a pause that a stop cuts short, and the last problem for the
 * status. Shared by the anchoring feed and the forwarders to Fabric, which differ only in what one pass does.
 *
 * <p>Stopping never interrupts the thread: an interrupt during file I/O closes the channels of every reader of that
 * file (the anchoring log), and the Kafka consumer has its own wake-up.
 */
public final class ConsumerLoop {

    static final long MIN_BACKOFF_MILLIS = 1_000;
    static final long MAX_BACKOFF_MILLIS = 30_000;

    /** What one pass does with a fresh consumer, until stopped or failing. */
    @FunctionalInterface
    public interface Pass<C> {
        /** Reads with {@code consumer}; true to start over at once with a new consumer (no pause, no problem). */
        boolean run(C consumer) throws InterruptedException;
    }

    private final Logger log;
    private final String activity;
    private final String restart;
    private final Class<? extends RuntimeException> waitsOn;
    private final Object sleeper = new Object();
    private volatile boolean running = true;
    private volatile Consumer<?, ?> consumer;
    private volatile String problem;

    /**
     * @param log      the owner's logger
     * @param activity what the loop does, as the subject of its log lines ("forwarding ledger entries to Fabric")
     * @param restart  what happens after the pause ("starting over from the committed offsets")
     * @param waitsOn  besides Kafka's own, the failure that means "not yet" (a warning), not a fault (an error)
     */
    public ConsumerLoop(Logger log, String activity, String restart, Class<? extends RuntimeException> waitsOn) {
        this.log = log;
        this.activity = activity;
        this.restart = restart;
        this.waitsOn = waitsOn;
    }

    public boolean running() {
        return running;
    }

    /** The last failure's message, until a pass goes on without one ({@link #recovered}); null when none. */
    public String problem() {
        return problem;
    }

    /** The pass read again after a failure: the status no longer shows it. */
    public void recovered() {
        problem = null;
    }

    /**
     * Runs passes until stopped, each with a consumer from {@code consumers} (closed after it); a failed pass is
     * logged, kept as the problem, and followed by a pause that doubles up to 30 s and starts again at 1 s after a
     * pass that ended well. Call on the loop's own thread.
     */
    public <C extends Consumer<?, ?>> void run(Supplier<C> consumers, Pass<C> pass) {
        long backoff = MIN_BACKOFF_MILLIS;
        while (running) {
            try (C c = consumers.get()) {
                consumer = c;
                if (!running) {
                    return;
                }
                boolean again = pass.run(c);
                backoff = MIN_BACKOFF_MILLIS;
                if (again) {
                    continue;
                }
            } catch (WakeupException | InterruptException e) {
                if (!running) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                failed(e, backoff);
            } finally {
                consumer = null;
            }
            if (!pause(backoff)) {
                return;
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        }
    }

    private void failed(RuntimeException e, long backoff) {
        if (e instanceof KafkaException || waitsOn.isInstance(e)) {
            problem = e.getMessage();
            log.warn("{} waits: {}; {} in {} s", activity, e.getMessage(), restart, backoff / 1000);
        } else {
            problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            log.error("{} failed; {} in {} s", activity, restart, backoff / 1000, e);
        }
    }

    /** Waits up to {@code millis} unless stopped; true while the loop should go on. */
    private boolean pause(long millis) {
        synchronized (sleeper) {
            try {
                if (running) {
                    sleeper.wait(millis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return running;
    }

    /** Stops the loop, wakes its consumer and its pause, and waits up to {@code joinMillis} for {@code thread}. */
    public void stop(Thread thread, long joinMillis) {
        running = false;
        Consumer<?, ?> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
        try {
            thread.join(joinMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
