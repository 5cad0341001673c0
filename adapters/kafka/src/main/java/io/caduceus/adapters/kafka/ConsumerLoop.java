package io.caduceus.adapters.kafka;

import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The life of a background thread that reads Kafka until stopped and, when Kafka or what it feeds fails, drops its
 * consumer and starts over after a growing pause: whether it still runs, the consumer to wake when it must stop, and
 * a pause that a stop cuts short. Shared by the anchoring feed and the forwarders to Fabric.
 *
 * <p>Stopping never interrupts the thread: an interrupt during file I/O closes the channels of every reader of that
 * file (the anchoring log), and the Kafka consumer has its own wake-up.
 */
public final class ConsumerLoop {

    public static final long MIN_BACKOFF_MILLIS = 1_000;
    public static final long MAX_BACKOFF_MILLIS = 30_000;

    private final Object sleeper = new Object();
    private volatile boolean running = true;
    private volatile KafkaConsumer<?, ?> consumer;

    public boolean running() {
        return running;
    }

    /** The consumer in use, woken by {@link #stop}; null once dropped. */
    public void use(KafkaConsumer<?, ?> current) {
        consumer = current;
    }

    /** Waits up to {@code millis} unless stopped; true while the loop should go on. */
    public boolean pause(long millis) {
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

    public static long nextBackoff(long backoff) {
        return Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
    }

    /** Stops the loop, wakes its consumer and its pause, and waits up to {@code joinMillis} for {@code thread}. */
    public void stop(Thread thread, long joinMillis) {
        running = false;
        KafkaConsumer<?, ?> c = consumer;
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
