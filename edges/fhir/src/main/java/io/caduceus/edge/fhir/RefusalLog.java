package io.caduceus.edge.fhir;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Refused FHIR requests in aggregate: at most one WARN per interval, with the count of each kind of refusal (an HTTP
 * status and an issue code or exception class, never content) since the last one, and a DEBUG line per request. A
 * flood of bad requests would otherwise write a line each; {@code caduceus_fhir_requests_total} counts them by status
 * too.
 *
 * <p>The first refusal after a quiet interval is logged at once; those that follow within the interval are reported
 * when it ends, by a daemon timer started with the first refusal, so no count waits for a later request.
 */
final class RefusalLog {

    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final boolean timer;
    private final Map<String, Long> counts = new TreeMap<>();
    private long lastWarn;
    private boolean warnedOnce;
    private ScheduledExecutorService flusher;

    RefusalLog(Logger log) {
        this(log, DEFAULT_INTERVAL, System::nanoTime, true);
    }

    /** @param timer false in tests, which call {@link #flushIfDue()} themselves */
    RefusalLog(Logger log, Duration interval, LongSupplier nanoClock, boolean timer) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
        this.timer = timer;
    }

    /** @param kind what was refused and why, e.g. {@code 422 invalid}: no content, no identifier */
    void refused(String kind) {
        log.debug("FHIR request refused: {}", kind);
        synchronized (this) {
            counts.merge(kind, 1L, Long::sum);
            startTimer();
        }
        flushIfDue();
    }

    /** Logs the counts kept since the last WARN, if there are any and an interval has passed since it. */
    void flushIfDue() {
        String summary;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (counts.isEmpty() || (warnedOnce && now - lastWarn < intervalNanos)) {
                return;
            }
            long total = counts.values().stream().mapToLong(Long::longValue).sum();
            StringBuilder b = new StringBuilder();
            counts.forEach((kind, n) -> b.append(b.length() == 0 ? "" : ", ").append(kind).append(": ").append(n));
            summary = total + " (" + b + ")";
            counts.clear();
            lastWarn = now;
            warnedOnce = true;
        }
        log.warn("FHIR requests refused since the last report (at most one per {} s): {}", intervalNanos / 1_000_000_000L,
                summary);
    }

    private void startTimer() {
        if (timer && flusher == null) {
            flusher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fhir-refusal-log");
                t.setDaemon(true);
                return t;
            });
            long period = Math.max(1, intervalNanos / 4);
            flusher.scheduleAtFixedRate(this::flushIfDue, period, period, TimeUnit.NANOSECONDS);
        }
    }
}
