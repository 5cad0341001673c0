package io.caduceus.edge.health;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A readiness check of a dependency that is cheap to poll and never hangs: the probe runs at most once per cache
 * period (a load balancer polling {@code /observe/health} every second costs one probe per period, whoever asks), in
 * a thread of its own, and a probe that has not answered within the deadline counts as DOWN. A probe still running
 * from an earlier call is waited on rather than started again, so a hung dependency holds one thread, not one per
 * poll.
 */
abstract class BoundedHealthCheck extends AbstractHealthCheck {

    /** What one probe found: UP, or DOWN with a message naming what failed (no content, no PHI). */
    record Finding(boolean up, String message, Map<String, Object> details) {

        static Finding up(Map<String, Object> details) {
            return new Finding(true, null, details);
        }

        static Finding down(String message, Map<String, Object> details) {
            return new Finding(false, message, details);
        }
    }

    private static final Executor PROBES = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "caduceus-health-probe");
        thread.setDaemon(true);
        return thread;
    });

    private final LongSupplier nanoClock;
    private Duration cacheFor;
    private Duration deadline;
    private CompletableFuture<Finding> probe;
    private long probeStartedNanos;
    private Finding last;
    private long lastAtNanos;

    BoundedHealthCheck(String id) {
        this(id, System::nanoTime);
    }

    BoundedHealthCheck(String id, LongSupplier nanoClock) {
        super("caduceus", id);
        this.nanoClock = nanoClock;
    }

    @Override
    public final boolean isLiveness() {
        // A dependency that is down must not make an orchestrator restart the middleware: nothing is ACKed until durable.
        return false;
    }

    /** Asks the dependency; may block, may throw (DOWN, named by exception class). */
    protected abstract Finding probe() throws Exception;

    /** For tests and callers without a Camel context; the context's options are read otherwise. */
    final void bounds(Duration cacheFor, Duration deadline) {
        this.cacheFor = cacheFor;
        this.deadline = deadline;
    }

    @Override
    protected final void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Finding finding = current();
        finding.details().forEach(builder::detail);
        if (finding.up()) {
            builder.up();
        } else {
            builder.message(finding.message()).down();
        }
    }

    /** The cached finding if fresh enough, otherwise that of a probe, waited on at most until its deadline. */
    final Finding current() {
        if (cacheFor == null) {
            bounds(Duration.ofMillis(option("{{caduceus.health.cache-ms}}")), Duration.ofMillis(option("{{caduceus.health.timeout-ms}}")));
        }
        CompletableFuture<Finding> running;
        long startedNanos;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (last != null && now - lastAtNanos < cacheFor.toNanos()) {
                return last;
            }
            if (probe == null) {
                CompletableFuture<Finding> started = CompletableFuture.supplyAsync(this::probeSafely, PROBES);
                probe = started;
                probeStartedNanos = now;
                running = started;
                startedNanos = now;
                // Cached when it ends, even if every caller stopped waiting: a late answer still counts once.
                started.thenAccept(finding -> remember(started, finding));
            } else {
                running = probe;
                startedNanos = probeStartedNanos;
            }
        }
        long waitNanos = deadline.toNanos() - (nanoClock.getAsLong() - startedNanos);
        try {
            return running.get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return Finding.down("no answer within " + deadline.toMillis() + " ms", Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Finding.down("interrupted", Map.of());
        } catch (ExecutionException e) {
            return Finding.down("probe failed: " + e.getCause().getClass().getSimpleName(), Map.of());
        }
    }

    private synchronized void remember(CompletableFuture<Finding> finished, Finding finding) {
        if (probe == finished) {
            probe = null;
            last = finding;
            lastAtNanos = nanoClock.getAsLong();
        }
    }

    private Finding probeSafely() {
        try {
            return probe();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Finding.down("interrupted", Map.of());
        } catch (Exception e) {
            return Finding.down(e.getClass().getSimpleName(), Map.of());
        }
    }

    private long option(String placeholder) {
        return Long.parseLong(getCamelContext().resolvePropertyPlaceholders(placeholder));
    }

    static Map<String, Object> details(Object... keyValues) {
        Map<String, Object> details = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            details.put((String) keyValues[i], keyValues[i + 1]);
        }
        return details;
    }
}
