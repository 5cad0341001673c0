package io.caduceus.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.offheap.ScratchArrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecordListsTest {

    private static final FileRecordVault.Location AT = new FileRecordVault.Location(0, 0, 1);

    @Test
    void listsKeepInsertionOrderPerKeyThroughManyResizes() {
        ScratchArrays arrays = ScratchArrays.onHeap();
        RecordIndex ordinals = new RecordIndex(arrays);
        RecordLists lists = new RecordLists(ordinals::idOf, arrays);
        Map<String, List<String>> expected = new HashMap<>();
        Random random = new Random(42);
        for (int record = 0; record < 200_000; record++) {
            String recordId = "r_" + record;
            int ordinal = ordinals.putIfAbsent(recordId, AT);
            // a few keys per record, some shared with earlier records (a patient's resources recur)
            for (int k = 0; k < 3; k++) {
                String key = k == 0 ? "rk1_shared_" + random.nextInt(5_000) : "rk1_own_" + record + "_" + k;
                lists.add(key, ordinal);
                expected.computeIfAbsent(key, x -> new ArrayList<>()).add(recordId);
            }
        }
        for (Map.Entry<String, List<String>> e : expected.entrySet()) {
            assertThat(lists.get(e.getKey())).as(e.getKey()).containsExactlyElementsOf(e.getValue());
        }
        assertThat(lists.get("rk1_never_added")).isEmpty();
    }

    @Test
    void twoListsShareTheOrdinals() {
        ScratchArrays arrays = ScratchArrays.onHeap();
        RecordIndex ordinals = new RecordIndex(arrays);
        RecordLists byKey = new RecordLists(ordinals::idOf, arrays);
        RecordLists byPatient = new RecordLists(ordinals::idOf, arrays);
        int a = ordinals.putIfAbsent("r_a", AT);
        int b = ordinals.putIfAbsent("r_b", AT);
        byKey.add("k", b);
        byKey.add("k", a);
        byPatient.add("pp1_x", a);
        assertThat(byKey.get("k")).containsExactly("r_b", "r_a");
        assertThat(byPatient.get("pp1_x")).containsExactly("r_a");
        assertThat(byPatient.get("k")).isEmpty();
    }

    @Test
    void theHashSpreadsSimilarKeys() {
        assertThat(RecordLists.hash("rk1_0")).isNotEqualTo(RecordLists.hash("rk1_1"));
        assertThat(RecordLists.hash("")).isNotZero();
    }
}
