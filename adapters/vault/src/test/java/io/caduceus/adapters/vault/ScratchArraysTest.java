package io.caduceus.adapters.vault;

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

    @Test
    void theRecordIndexWorksTheSameOnMappedArrays() {
        ScratchArrays arrays = ScratchArrays.mapped(dir);
        RecordIndex index = new RecordIndex(arrays);
        RecordLists lists = new RecordLists(index::idOf, arrays);
        for (int i = 0; i < 100_000; i++) {
            String id = String.format("r_%032x", i);
            int ordinal = index.put(id, new FileRecordVault.Location(1, i, 10));
            lists.add("rk1_" + (i % 100), ordinal);
        }
        assertThat(index.get(String.format("r_%032x", 99_999))).isEqualTo(new FileRecordVault.Location(1, 99_999, 10));
        assertThat(lists.get("rk1_7")).hasSize(1000).startsWith(String.format("r_%032x", 7));
        lists.close();
        index.close();
        assertThat(scratchFilesQuietly()).isEmpty();
    }

    private java.util.List<Path> scratchFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".scratch")).toList();
        }
    }

    private java.util.List<Path> scratchFilesQuietly() {
        try {
            return scratchFiles();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
