package io.caduceus.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.offheap.ScratchArrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecordIndexTest {

    @Test
    void findsEveryRecordThroughManyResizesWhateverTheFormOfItsId() {
        RecordIndex index = new RecordIndex(ScratchArrays.onHeap());
        Map<String, FileRecordVault.Location> expected = new HashMap<>();
        Map<Integer, String> byOrdinal = new HashMap<>();
        Random random = new Random(7);
        byte[] digest = new byte[16];
        for (int i = 0; i < 150_000; i++) {
            String id;
            random.nextBytes(digest);
            if (i % 10 == 0) {
                id = "rec-" + i; // not of the compact form: kept as a string
            } else if (i % 10 == 1) {
                id = "r_" + HexFormat.of().formatHex(digest); // format 1, stored before keyed ids: kept as a string
            } else {
                id = "r2_" + HexFormat.of().formatHex(digest);
            }
            FileRecordVault.Location at = new FileRecordVault.Location(i % 7, i * 100L, 50 + i % 13);
            int ordinal = index.put(id, at);
            assertThat(ordinal).isEqualTo(i);
            expected.put(id, at);
            byOrdinal.put(ordinal, id);
        }
        assertThat(index.size()).isEqualTo(150_000);
        expected.forEach((id, at) -> assertThat(index.get(id)).as(id).isEqualTo(at));
        byOrdinal.forEach((ordinal, id) -> assertThat(index.idOf(ordinal)).isEqualTo(id));
        assertThat(index.get("r2_" + "0".repeat(32))).isNull();
        assertThat(index.get("r_" + "0".repeat(32))).isNull();
        assertThat(index.contains("rec-3")).isFalse();
        assertThat(index.contains("rec-30")).isTrue();
    }

    @Test
    void idsThatOnlyLookCompactAreKeptAsTheyAre() {
        RecordIndex index = new RecordIndex(ScratchArrays.onHeap());
        String upper = "r2_" + "AB".repeat(16); // uppercase hex would not round-trip through two longs
        String lower = "r2_" + "ab".repeat(16);
        String shorter = "r2_" + "ab".repeat(15);
        FileRecordVault.Location a = new FileRecordVault.Location(0, 1, 10);
        FileRecordVault.Location b = new FileRecordVault.Location(0, 2, 10);
        FileRecordVault.Location c = new FileRecordVault.Location(0, 3, 10);
        index.put(upper, a);
        index.put(lower, b);
        index.put(shorter, c);
        assertThat(index.get(upper)).isEqualTo(a);
        assertThat(index.get(lower)).isEqualTo(b);
        assertThat(index.get(shorter)).isEqualTo(c);
        assertThat(index.idOf(0)).isEqualTo(upper);
        assertThat(index.idOf(1)).isEqualTo(lower);
        String legacy = "r_" + "ab".repeat(16); // the same digits in format 1 are another record
        FileRecordVault.Location d = new FileRecordVault.Location(0, 4, 10);
        index.put(legacy, d);
        assertThat(index.get(legacy)).isEqualTo(d);
        assertThat(index.get(lower)).isEqualTo(b);
    }

    @Test
    void aRepairedCopyMovesTheRecordAndKeepsItsOrdinal() {
        RecordIndex index = new RecordIndex(ScratchArrays.onHeap());
        String id = "r2_" + "0123456789abcdef".repeat(2);
        FileRecordVault.Location first = new FileRecordVault.Location(0, 10, 100);
        FileRecordVault.Location repaired = new FileRecordVault.Location(3, 20, 100);
        assertThat(index.putIfAbsent(id, first)).isZero();
        assertThat(index.putIfAbsent(id, repaired)).isEqualTo(-1);
        assertThat(index.get(id)).isEqualTo(first);
        assertThat(index.put(id, repaired)).isEqualTo(-1);
        assertThat(index.get(id)).isEqualTo(repaired);
        assertThat(index.idOf(0)).isEqualTo(id);
        assertThat(index.size()).isEqualTo(1);
    }
}
