package io.caduceus.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.offheap.ScratchArrays;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vault's index classes on mapped scratch arrays, as the file vault runs them. */
class MappedIndexTest {

    @TempDir
    Path dir;

    @Test
    void theRecordIndexWorksTheSameOnMappedArrays() {
        ScratchArrays arrays = ScratchArrays.mapped(dir);
        RecordIndex index = new RecordIndex(arrays);
        RecordLists lists = new RecordLists(index::idOf, arrays);
        for (int i = 0; i < 100_000; i++) {
            String id = String.format("r2_%032x", i);
            int ordinal = index.put(id, new FileRecordVault.Location(1, i, 10));
            lists.add("rk2_" + (i % 100), ordinal);
        }
        assertThat(index.get(String.format("r2_%032x", 99_999))).isEqualTo(new FileRecordVault.Location(1, 99_999, 10));
        assertThat(lists.get("rk2_7")).hasSize(1000).startsWith(String.format("r2_%032x", 7));
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
