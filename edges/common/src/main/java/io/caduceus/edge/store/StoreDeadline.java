package io.caduceus.edge.store;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
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
 * then to notice recovery. That trial's caller waits only the breaker's short trial timeout; the breaker learns the
 * trial steps' own outcome, whenever they end within the store deadline.
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
                        Duration.ofMillis(Long.parseLong(option(context, "open-ms"))),
                        Duration.ofMillis(Long.parseLong(option(context, "trial-timeout-ms"))), System::nanoTime));
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
        if (permit == StoreBreaker.Permit.TRIAL) {
            trial(exchange, endpointUri);
            return;
        }
        Throwable failure = null;
        try {
            await(exchange, start(exchange, endpointUri), timeout);
        } catch (Exception | Error e) {
            failure = e;
            throw e;
        } finally {
            breaker.completed(permit, failure);
        }
    }

    /**
     * The half-open trial. Its caller waits at most the breaker's trial timeout, so that while the dependency is still
     * down the sender whose message happens to be the trial is asked to resend after that, not after the whole store
     * deadline. The breaker is told the steps' own outcome instead, whenever they end within the store deadline: a
     * dependency that is back but slow on its first request (Kafka fetching metadata, a pool reconnecting) still closes
     * it, while every other message is refused at once until it knows.
     */
    private void trial(Exchange exchange, String endpointUri) throws Exception {
        CompletableFuture<Stored> done;
        try {
            done = start(exchange, endpointUri);
        } catch (StoreTimeoutException noWorker) {
            breaker.completed(StoreBreaker.Permit.TRIAL, noWorker);
            throw noWorker;
        }
        // The caller waits on what tells the breaker, so that a trial answered AA has closed it already.
        CompletableFuture<Stored> told = done.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((stored, error) -> breaker.completed(StoreBreaker.Permit.TRIAL,
                        stored != null ? stored.failure() : trialFailure(error)));
        Duration wait = breaker.trialTimeout().compareTo(timeout) < 0 ? breaker.trialTimeout() : timeout;
        await(exchange, told, wait);
    }

    private Throwable trialFailure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof TimeoutException) {
            return new StoreTimeoutException("the store breaker's trial did not end within " + timeout.toMillis() + " ms", cause);
        }
        return cause;
    }

    /** What the steps left: the resulting exchange, and the failure it carried, read on the worker thread. */
    private record Stored(Exchange result, Exception failure) {
    }

    /**
     * Sends a copy of the exchange to {@code endpointUri} in a worker.
     *
     * @throws StoreTimeoutException when no worker is free
     */
    private CompletableFuture<Stored> start(Exchange exchange, String endpointUri) {
        Exchange copy = exchange.copy();
        try {
            return CompletableFuture.supplyAsync(() -> {
                Exchange result = producer.send(endpointUri, copy);
                return new Stored(result, result.getException());
            }, workers);
        } catch (RejectedExecutionException e) {
            refusedBusy.incrementAndGet();
            throw new StoreTimeoutException("no store worker free: " + workers.getMaximumPoolSize()
                    + " are still waiting on the vault or Kafka", e);
        }
    }

    /**
     * Waits at most {@code wait} for the steps and copies their outcome back to {@code exchange}.
     *
     * @throws StoreTimeoutException when the steps did not finish in time
     * @throws Exception             whatever the steps threw, so that the route's own catches see it
     */
    private void await(Exchange exchange, CompletableFuture<Stored> done, Duration wait) throws Exception {
        Stored stored;
        try {
            stored = done.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw timedOut(wait, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreTimeoutException("interrupted while storing", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException trialDeadline) {
                throw timedOut(wait, trialDeadline); // a trial waited as long as the store deadline
            }
            throw new IllegalStateException("the producer template failed outside the route", e.getCause());
        }
        Exchange result = stored.result();
        result.setException(null);
        ExchangeHelper.copyResults(exchange, result);
        if (stored.failure() != null) {
            throw stored.failure();
        }
    }

    private StoreTimeoutException timedOut(Duration wait, TimeoutException e) {
        timedOut.incrementAndGet();
        return new StoreTimeoutException("vault or Kafka did not take the message within " + wait.toMillis() + " ms", e);
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
