package io.caduceus.core.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LatencyWindowTest {

    @Test
    void percentilesOverTheLastValuesOnly() {
        LatencyWindow window = new LatencyWindow(100);
        assertThat(window.summary()).containsOnlyKeys("count").containsEntry("count", 0L);
        for (int i = 0; i < 100; i++) {
            window.record(100_000); // pushed out below
        }
        for (int i = 1; i <= 100; i++) {
            window.record(i);
        }
        assertThat(window.summary()).containsEntry("count", 200L).containsEntry("p50Ms", 50L)
                .containsEntry("p99Ms", 99L).containsEntry("maxMs", 100L);
        window.record(-5);
        assertThat(window.summary().get("maxMs")).isEqualTo(100L);
        assertThatThrownBy(() -> new LatencyWindow(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
