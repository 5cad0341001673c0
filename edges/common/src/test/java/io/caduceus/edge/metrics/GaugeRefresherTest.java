package io.caduceus.edge.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GaugeRefresherTest {

    @Test
    void aScrapeReadsTheLastRefreshedValueAndNaNWhileTheSourceFails() {
        CaduceusMetrics metrics = CaduceusMetrics.standalone(1, 1);
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger failing = new AtomicInteger();
        // A long period: only the explicit refreshes below run the source after the first one.
        try (GaugeRefresher refresher = new GaugeRefresher(3600)) {
            metrics.refreshedGauge("caduceus.test.size", "test", Tags.empty(), () -> {
                if (failing.get() == 1) {
                    throw new IllegalStateException("database down");
                }
                return calls.incrementAndGet() * 10;
            }, refresher);
            org.awaitility.Awaitility.await().until(() -> calls.get() >= 1);
            refresher.refreshAll();
            int after = calls.get();
            String first = metrics.scrape().orElseThrow();
            String second = metrics.scrape().orElseThrow();
            assertThat(calls.get()).as("scrapes do not query the source").isEqualTo(after);
            assertThat(first).contains("caduceus_test_size " + (after * 10) + ".0");
            assertThat(second).isEqualTo(first);
            failing.set(1);
            refresher.refreshAll();
            assertThat(metrics.scrape().orElseThrow()).contains("caduceus_test_size NaN");
        }
    }
}
