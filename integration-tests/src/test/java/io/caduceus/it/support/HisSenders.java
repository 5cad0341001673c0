package io.caduceus.it.support;

import io.caduceus.it.Hl7Messages;
import io.caduceus.it.MllpClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Senders like a real HIS, for tests that inject faults under a steady HL7 load: each sends one message at a time,
 * waits for its ACK up to a read timeout, resends the same MSH-10 until it is acknowledged AA (after 200 ms on any
 * other answer, after 500 ms when the link dropped or nothing came back) and reconnects when the link is gone. Every
 * send is recorded with its control id, its answer and what the test said it was doing to the stack meanwhile.
 */
public final class HisSenders implements AutoCloseable {

    /** No answer at all: the connection closed or the read timed out. */
    public static final String NO_ANSWER = "none";

    /**
     * One send: the MSH-10, MSA-1 of the answer ({@link #NO_ANSWER} if there was none), how long the sender waited,
     * when the answer (or the failure) came ({@code System.nanoTime()}) and the test's phase at that moment.
     */
    public record Send(String controlId, String code, long waitedMillis, long answeredAtNanos, String phase) {
    }

    private final String prefix;
    private final int port;
    private final int readTimeoutMillis;
    private final long pauseMillis;
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final List<Send> sends = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private volatile String phase = "warm";

    private HisSenders(String prefix, int port, int readTimeoutMillis, long pauseMillis) {
        this.prefix = prefix;
        this.port = port;
        this.readTimeoutMillis = readTimeoutMillis;
        this.pauseMillis = pauseMillis;
    }

    /**
     * Starts {@code count} senders to 127.0.0.1:{@code port}; sender {@code s} numbers its messages
     * {@code prefix + s + "-" + n} and pauses {@code pauseMillis} after each AA.
     */
    public static HisSenders start(int count, String prefix, int port, int readTimeoutMillis, long pauseMillis) {
        HisSenders senders = new HisSenders(prefix, port, readTimeoutMillis, pauseMillis);
        for (int s = 0; s < count; s++) {
            int sender = s;
            Thread thread = new Thread(() -> senders.send(sender), "sender-" + s);
            thread.start();
            senders.threads.add(thread);
        }
        return senders;
    }

    /** The control ids acknowledged AA, live. */
    public Set<String> acknowledged() {
        return acknowledged;
    }

    /** Names what the test does to the stack from now on; every later send carries it. */
    public void phase(String phase) {
        this.phase = phase;
    }

    /** How many sends so far: a mark for {@link #sendsSince}. */
    public int sendCount() {
        synchronized (sends) {
            return sends.size();
        }
    }

    /** Every send so far, in the order they were answered. */
    public List<Send> sends() {
        return sendsSince(0);
    }

    /** The sends answered after {@code mark} (a {@link #sendCount}). */
    public List<Send> sendsSince(int mark) {
        synchronized (sends) {
            return List.copyOf(sends.subList(mark, sends.size()));
        }
    }

    /** When the first AA after {@code nanos} ({@code System.nanoTime()}) came, if one did. */
    public Optional<Long> firstAaAfter(long nanos) {
        return sends().stream().filter(s -> s.code().equals("AA")).map(Send::answeredAtNanos).filter(t -> t > nanos)
                .min(Long::compare);
    }

    /** Waits up to {@code within} for an AA after {@code nanos}; returns when it came. */
    public long awaitAaAfter(long nanos, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Long> first = firstAaAfter(nanos);
            if (first.isPresent()) {
                return first.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no AA within " + within);
    }

    /** Stops the senders once their current send is answered, waiting up to {@code each} for each. */
    public void stop(Duration each) throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(each.toMillis());
        }
    }

    /** Tells the senders to stop after their current send, without waiting for them. */
    public void halt() {
        running.set(false);
    }

    @Override
    public void close() throws InterruptedException {
        stop(Duration.ofSeconds(60));
    }

    private void send(int sender) {
        int next = 0;
        MllpClient client = null;
        while (running.get()) {
            String controlId = prefix + sender + "-" + next;
            long started = System.nanoTime();
            String code = NO_ANSWER;
            try {
                if (client == null) {
                    client = new MllpClient("127.0.0.1", port, readTimeoutMillis);
                }
                code = MllpClient.ackCode(client.send(Hl7Messages.adt(controlId, "Doe")));
            } catch (IOException e) {
                // MllpClient reports its read timeout as "closed without an acknowledgement": reconnect either way.
                client = closed(client);
            }
            long now = System.nanoTime();
            synchronized (sends) {
                sends.add(new Send(controlId, code, TimeUnit.NANOSECONDS.toMillis(now - started), now, phase));
            }
            try {
                if (code.equals("AA")) {
                    acknowledged.add(controlId);
                    next++;
                    Thread.sleep(pauseMillis);
                } else {
                    Thread.sleep(code.equals(NO_ANSWER) ? 500 : 200);
                }
            } catch (InterruptedException e) {
                break;
            }
        }
        closed(client);
    }

    private static MllpClient closed(MllpClient client) {
        if (client != null) {
            try {
                client.close();
            } catch (IOException ignored) {
                // the connection is gone either way
            }
        }
        return null;
    }
}
