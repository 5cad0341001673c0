package io.caduceus.core.offheap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchArraysTest {

    @TempDir
    Path dir;

    @Test
    void mappedArraysGrowByChunksKeepTheirValuesAndLeaveNoFileWhenClosed() throws IOException {
        ScratchArrays arrays = ScratchArrays.mapped(dir);
        ScratchArrays.Numbers longs = arrays.longs();
        ScratchArrays.Numbers ints = arrays.ints();
        int count = 3_000_000; // several 4 MiB chunks of each
        longs.ensureCapacity(count);
        ints.ensureCapacity(count);
        assertThat(longs.capacity()).isGreaterThanOrEqualTo(count);
        assertThat(longs.getLong(count - 1)).isZero();
        for (int i = 0; i < count; i++) {
            longs.setLong(i, i * 0x9E3779B97F4A7C15L);
            ints.setInt(i, -i);
        }
        for (int i = 0; i < count; i++) {
            assertThat(longs.getLong(i)).isEqualTo(i * 0x9E3779B97F4A7C15L);
            assertThat(ints.getInt(i)).isEqualTo(-i);
        }
        assertThat(scratchFiles()).hasSize(2);
        longs.close();
        ints.close();
        assertThat(scratchFiles()).isEmpty();
        assertThat(longs.capacity()).isZero();
    }

    @Test
    void openingTheFolderAgainDeletesWhatAnEarlierRunLeft() throws IOException {
        ScratchArrays.mapped(dir).longs().ensureCapacity(10); // never closed, as after a crash
        Files.writeString(dir.resolve("notes.txt"), "not ours");
        assertThat(scratchFiles()).hasSize(1);
        ScratchArrays.mapped(dir);
        assertThat(scratchFiles()).isEmpty();
        assertThat(dir.resolve("notes.txt")).exists();
    }

    private java.util.List<Path> scratchFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".scratch")).toList();
        }
    }
}
