package io.caduceus.edge.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes the gauges whose value costs a query (a count in PostgreSQL, a balance from the Ethereum node) on a
 * thread of its own, every {@code caduceus.metrics.refresh-seconds}: a scrape then never waits on a dependency, and a
 * scraper polling fast cannot load one. A value that could not be read is NaN, which Prometheus shows as a gap.
 */
public final class GaugeRefresher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GaugeRefresher.class);

    private record Refreshed(String name, Supplier<Number> source, double[] last) {
    }

    private final List<Refreshed> gauges = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;

    public GaugeRefresher(long periodSeconds) {
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caduceus-metrics-refresh");
            t.setDaemon(true);
            return t;
        });
        // Each gauge is first read as it is registered (gauge()), so the timer starts one period later.
        long period = Math.max(1, periodSeconds);
        timer.scheduleWithFixedDelay(this::refreshAll, period, period, TimeUnit.SECONDS);
    }

    void gauge(MeterRegistry registry, String name, String description, Tags tags, Supplier<Number> source) {
        Refreshed refreshed = new Refreshed(name, source, new double[] {Double.NaN});
        gauges.add(refreshed);
        Gauge.builder(name, refreshed, r -> r.last()[0]).description(description).tags(tags).strongReference(true)
                .register(registry);
        timer.execute(() -> refresh(refreshed));
    }

    void refreshAll() {
        gauges.forEach(GaugeRefresher::refresh);
    }

    private static void refresh(Refreshed gauge) {
        try {
            Number value = gauge.source().get();
            gauge.last()[0] = value == null ? Double.NaN : value.doubleValue();
        } catch (RuntimeException e) {
            gauge.last()[0] = Double.NaN;
            LOG.debug("gauge {} not refreshed: {}", gauge.name(), e.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
