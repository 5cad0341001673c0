package io.caduceus.core.offheap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyOrdinalsTest {

    @TempDir
    Path dir;

    private record Key(long high, long low) {
    }

    @Test
    void keysAreNumberedInOrderAndFoundAgainAcrossManyRehashes() {
        SplittableRandom random = new SplittableRandom(7);
        Map<Key, Integer> expected = new HashMap<>();
        try (KeyOrdinals keys = new KeyOrdinals(ScratchArrays.onHeap(), 1)) {
            for (int i = 0; i < 200_000; i++) {
                Key key = new Key(random.nextLong(), random.nextLong());
                assertThat(keys.ordinalOf(key.high(), key.low())).isEqualTo(-1);
                assertThat(keys.add(key.high(), key.low())).isEqualTo(i);
                expected.put(key, i);
            }
            assertThat(keys.size()).isEqualTo(200_000);
            expected.forEach((key, ordinal) -> {
                assertThat(keys.ordinalOf(key.high(), key.low())).isEqualTo(ordinal);
                assertThat(keys.high(ordinal)).isEqualTo(key.high());
                assertThat(keys.low(ordinal)).isEqualTo(key.low());
            });
            for (int i = 0; i < 10_000; i++) {
                assertThat(keys.ordinalOf(random.nextLong(), random.nextLong())).as("never added").isEqualTo(-1);
            }
        }
    }

    @Test
    void keysThatShareAHalfAreDifferentKeys() {
        try (KeyOrdinals keys = new KeyOrdinals(ScratchArrays.onHeap(), 16)) {
            for (int i = 0; i < 1_000; i++) {
                keys.add(42, i); // ordinal 2i
                keys.add(i + 1_000, 42); // ordinal 2i + 1
            }
            assertThat(keys.ordinalOf(42, 999)).isEqualTo(1_998);
            assertThat(keys.ordinalOf(1_999, 42)).isEqualTo(1_999);
            assertThat(keys.ordinalOf(42, 0)).isEqualTo(0);
            assertThat(keys.ordinalOf(0, 42)).as("the halves are not interchangeable").isEqualTo(-1);
            assertThat(keys.ordinalOf(42, 1_000)).isEqualTo(-1);
        }
    }

    @Test
    void mappedKeysLeaveNoScratchFileAndAreUnusableWhenClosed() throws IOException {
        KeyOrdinals keys = new KeyOrdinals(ScratchArrays.mapped(dir), 100_000);
        for (int i = 0; i < 100_000; i++) {
            keys.add(i * 31L, ~i);
        }
        assertThat(keys.ordinalOf(99_999 * 31L, ~99_999)).isEqualTo(99_999);
        assertThat(scratchFiles()).isNotEmpty();
        keys.close();
        assertThat(scratchFiles()).isEmpty();
        assertThatThrownBy(() -> keys.ordinalOf(0, ~0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> keys.add(1, 1)).isInstanceOf(IllegalStateException.class);
        keys.close(); // twice is harmless
    }

    @Test
    void anOrdinalNotYetGivenIsRefused() {
        try (KeyOrdinals keys = new KeyOrdinals(ScratchArrays.onHeap(), 4)) {
            keys.add(1, 2);
            assertThatThrownBy(() -> keys.high(1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> keys.low(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }


    private java.util.List<Path> scratchFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
