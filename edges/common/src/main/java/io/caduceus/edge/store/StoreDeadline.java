package io.caduceus.edge.store;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.ExchangeHelper;

/**
 * Runs the steps that make a message durable (vault write, Kafka's acknowledgement of its ledger entry) under a
 * deadline, so that a dependency that is down turns into a prompt "please resend" (HL7 AE 207 / CE, FHIR 503) instead
 * of a wait as long as the slowest client timeout below it (Kafka's delivery timeout, a database reconnect).
 *
 * <p>The steps run on a copy of the exchange in a worker thread, and their outcome (body, headers, properties, or
 * the exception they threw) is copied back when they finish in time. When they do not, the caller gets a
 * {@link StoreTimeoutException} while the worker carries on to its own end: the record may still become durable and
 * its entry reach Kafka, which is harmless because a resend of the same message lands on the same record id and
 * the same commitment. The worker is never interrupted: an interrupt during a file write closes the vault's channel.
 *
 * <p>Workers are capped: when every one of them is still busy with steps past their deadline (a long outage), the
 * next message is refused at once rather than queued behind them. Before that, a {@link StoreBreaker} refuses
 * messages at once while the vault or Kafka is known to be down (a few failures in a row), letting one through now and
 * then to notice recovery.
 */
public final class StoreDeadline implements AutoCloseable {

    private final ProducerTemplate producer;
    private final Duration timeout;
    private final ThreadPoolExecutor workers;
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong refusedBusy = new AtomicLong();
    private final StoreBreaker breaker;

    public StoreDeadline(CamelContext context, Duration timeout, int maxWorkers) {
        this(context, timeout, maxWorkers, new StoreBreaker(0, Duration.ZERO, Duration.ZERO, System::nanoTime));
    }

    StoreDeadline(CamelContext context, Duration timeout, int maxWorkers, StoreBreaker breaker) {
        this.breaker = breaker;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the store timeout must be positive");
        }
        this.producer = context.createProducerTemplate();
        this.timeout = timeout;
        AtomicInteger count = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(0, maxWorkers, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread thread = new Thread(r, "caduceus-store-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** From {@code caduceus.ingest.store-timeout-ms}, {@code caduceus.ingest.store-workers} and {@code caduceus.ingest.breaker.*}. */
    public static StoreDeadline from(CamelContext context) {
        return new StoreDeadline(context,
                Duration.ofMillis(Long.parseLong(context.resolvePropertyPlaceholders("{{caduceus.ingest.store-timeout-ms}}"))),
                Integer.parseInt(context.resolvePropertyPlaceholders("{{caduceus.ingest.store-workers}}")),
                new StoreBreaker(Integer.parseInt(option(context, "failure-threshold")),
                        Duration.ofMillis(Long.parseLong(option(context, "window-ms"))),
                        Duration.ofMillis(Long.parseLong(option(context, "open-ms"))), System::nanoTime));
    }

    private static String option(CamelContext context, String name) {
        return context.resolvePropertyPlaceholders("{{caduceus.ingest.breaker." + name + "}}").strip();
    }

    /**
     * Runs {@link #steps} unless the breaker refuses, and tells the breaker how it went.
     *
     * @throws StoreRefusedException when the breaker is open
     * @throws StoreTimeoutException when the steps did not finish in time, or no worker is free
     * @throws Exception             whatever the steps threw, so that the route's own catches see it
     */
    public void within(Exchange exchange, String endpointUri) throws Exception {
        StoreBreaker.Permit permit = breaker.acquire();
        if (permit == StoreBreaker.Permit.REFUSED) {
            throw new StoreRefusedException("the vault or Kafka failed just now; not tried (store breaker open)");
        }
        Throwable failure = null;
        try {
            steps(exchange, endpointUri);
        } catch (Exception | Error e) {
            failure = e;
            throw e;
        } finally {
            breaker.completed(permit, failure);
        }
    }

    /**
     * Sends a copy of the exchange to {@code endpointUri} and waits at most the store timeout for it.
     *
     * @throws StoreTimeoutException when the steps did not finish in time, or no worker is free
     * @throws Exception             whatever the steps threw, so that the route's own catches see it
     */
    private void steps(Exchange exchange, String endpointUri) throws Exception {
        Exchange copy = exchange.copy();
        Future<Exchange> done;
        try {
            done = workers.submit(() -> producer.send(endpointUri, copy));
        } catch (RejectedExecutionException e) {
            refusedBusy.incrementAndGet();
            throw new StoreTimeoutException("no store worker free: " + workers.getMaximumPoolSize()
                    + " are still waiting on the vault or Kafka", e);
        }
        Exchange result;
        try {
            result = done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            timedOut.incrementAndGet();
            throw new StoreTimeoutException("vault or Kafka did not take the message within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreTimeoutException("interrupted while storing", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the producer template failed outside the route", e.getCause());
        }
        Exception failure = result.getException();
        result.setException(null);
        ExchangeHelper.copyResults(exchange, result);
        if (failure != null) {
            throw failure;
        }
    }

    public Duration timeout() {
        return timeout;
    }

    /** Messages answered "please resend" because their steps overran the deadline. */
    public long timedOut() {
        return timedOut.get();
    }

    /** Messages answered "please resend" at once because every worker was still busy with overrunning steps. */
    public long refusedBusy() {
        return refusedBusy.get();
    }

    /** The breaker's state, counts and last failure, for {@code GET /api/status}. */
    public java.util.Map<String, Object> breakerStatus() {
        return breaker.snapshot();
    }

    /** 0 closed, 1 half-open, 2 open: the {@code caduceus.ingest.breaker.state} gauge. */
    public int breakerState() {
        return breaker.state().ordinal();
    }

    /** Messages refused at once while the breaker was open. */
    public long breakerRefused() {
        return breaker.refused();
    }

    /** Times the breaker opened from closed. */
    public long breakerOpened() {
        return breaker.opened();
    }

    /** Workers still running steps, including those whose caller has been answered already. */
    public int busyWorkers() {
        return workers.getActiveCount();
    }

    @Override
    public void close() {
        workers.shutdown();
        try {
            producer.stop();
        } catch (RuntimeException ignored) {
            // the context is stopping anyway
        }
    }
}
