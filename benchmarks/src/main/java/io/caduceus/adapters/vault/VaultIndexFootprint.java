package io.caduceus.adapters.vault;

import io.caduceus.core.offheap.ScratchArrays;
import java.lang.management.ManagementFactory;
import java.util.HexFormat;
import java.util.Random;

/**
 * Heap held by the file vault's in-memory index (record locations and the lookup lists) per record, for a pipeline
 * shaped load: each record has the pipeline's id form, a patient out of 10,000 and six lookup keys, two of them shared
 * with the patient's other records (Patient, Encounter) and four its own (Observations, report, Provenance). In the
 * vault's package because the index classes are package-private. Run from the repository root:
 * {@code java -cp benchmarks/target/benchmarks.jar io.caduceus.adapters.vault.VaultIndexFootprint [records [folder]]}.
 */
public final class VaultIndexFootprint {

    public static void main(String[] args) {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long before = usedAfterGc();
        java.nio.file.Path folder = java.nio.file.Path.of(args.length > 1 ? args[1] : "target/vault-index-footprint");
        ScratchArrays arrays = ScratchArrays.mapped(folder);
        RecordIndex index = new RecordIndex(arrays);
        RecordLists byLookupKey = new RecordLists(index::idOf, arrays);
        RecordLists byPatient = new RecordLists(index::idOf, arrays);
        Random random = new Random(1);
        byte[] digest = new byte[16];
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < records; i++) {
            random.nextBytes(digest);
            int ordinal = index.put("r2_" + hex.formatHex(digest), new FileRecordVault.Location(i >>> 16, i * 4096L, 4096));
            int patient = i % 10_000;
            byPatient.add("pp1_" + patient, ordinal);
            byLookupKey.add("rk2_patient_" + patient, ordinal);
            byLookupKey.add("rk2_encounter_" + patient + "_" + (i / 50_000), ordinal);
            for (int k = 0; k < 4; k++) {
                byLookupKey.add("rk2_own_" + i + "_" + k, ordinal);
            }
        }
        long after = usedAfterGc();
        long scratch = 0;
        try (var files = java.nio.file.Files.list(folder)) {
            for (java.nio.file.Path file : files.toList()) {
                scratch += java.nio.file.Files.size(file);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        System.out.printf("file vault index: %,d records; heap %,d bytes (%.0f per record); mapped scratch files %,d bytes"
                + " (%.0f per record)%n", records, after - before, (after - before) / (double) records, scratch,
                scratch / (double) records);
        // Keep the structures reachable until measured.
        System.out.println(index.size() + byLookupKey.get("rk2_patient_1").size() + byPatient.get("pp1_1").size() > 0 ? "" : "?");
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private VaultIndexFootprint() {
    }
}
