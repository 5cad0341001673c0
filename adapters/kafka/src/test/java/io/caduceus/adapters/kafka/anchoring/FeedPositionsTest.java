package io.caduceus.adapters.kafka.anchoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FeedPositionsTest {

    @Test
    void roundTripsInPartitionOrder() {
        String encoded = FeedPositions.encode(Map.of(1, 456L, 0, 123L, 10, 0L));
        assertThat(encoded).isEqualTo("p0:123,p1:456,p10:0");
        assertThat(FeedPositions.decode(encoded)).containsExactly(Map.entry(0, 123L), Map.entry(1, 456L),
                Map.entry(10, 0L));
    }

    @Test
    void noPositionMeansFromTheBeginning() {
        assertThat(FeedPositions.decode(null)).isEmpty();
        assertThat(FeedPositions.decode("")).isEmpty();
        assertThat(FeedPositions.encode(Map.of())).isEmpty();
    }

    @Test
    void refusesWhatItDidNotWrite() {
        for (String bad : new String[] {"0:12", "p0-12", "p0:", "p:1", "px:1", "p0:-1", "p0:1,p0:2", "block 7"}) {
            assertThatThrownBy(() -> FeedPositions.decode(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
