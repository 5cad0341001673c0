package io.caduceus.edge.records;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.commitment.Salt;
import io.caduceus.core.hash.Sha256;
import io.caduceus.core.keys.DeploymentKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResourceKeysTest {

    @TempDir
    Path dir;

    private static DeploymentKeys keys(int fill) {
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) fill);
        return new DeploymentKeys(secret);
    }

    /** Format 1 as it was: anyone could compute it from type and id. */
    private static String unkeyed(String type, String id) {
        byte[] digest = Sha256.digest(("caduceus.resource-key.v1\0" + type + "/" + id).getBytes(StandardCharsets.UTF_8)).toBytes();
        return "rk1_" + HexFormat.of().formatHex(digest, 0, 16);
    }

    @Test
    void aLookupKeyIsKeyedDeterministicAndNeverTheUnkeyedOne() {
        String key = new ResourceKeys(keys(1), true).of("Patient", "jane-doe-1970");
        assertThat(key).matches("rk2_[0-9a-f]{32}");
        assertThat(new ResourceKeys(keys(1), false).of("Patient", "jane-doe-1970")).isEqualTo(key);
        assertThat(new ResourceKeys(keys(2), true).of("Patient", "jane-doe-1970")).isNotEqualTo(key);
        assertThat(new ResourceKeys(keys(1), true).of("Patient", "jane-doe-1971")).isNotEqualTo(key);
        assertThat(new ResourceKeys(keys(1), true).of("Observation", "jane-doe-1970")).isNotEqualTo(key);
        assertThat(key.substring(4)).isNotEqualTo(unkeyed("Patient", "jane-doe-1970").substring(4));
        assertThat(ResourceKeys.legacyOf("Patient", "jane-doe-1970")).isEqualTo(unkeyed("Patient", "jane-doe-1970"));
    }

    @Test
    void recordsStoredUnderFormatOneKeysAreFoundFirstWhileFormatOneIsRead() {
        ResourceKeys reading = new ResourceKeys(keys(1), true);
        ResourceKeys notReading = new ResourceKeys(keys(1), false);
        byte[] master = new byte[32];
        Arrays.fill(master, (byte) 3);
        try (RecordVault vault = FileRecordVault.open(dir, MasterKey.of(master))) {
            vault.put(record("r_" + "01".repeat(16), unkeyed("Patient", "p1")));
            vault.put(record("r2_" + "02".repeat(16), reading.of("Patient", "p1")));

            assertThat(reading.findRecords(vault, "Patient", "p1")).containsExactly("r_" + "01".repeat(16), "r2_" + "02".repeat(16));
            assertThat(notReading.findRecords(vault, "Patient", "p1")).containsExactly("r2_" + "02".repeat(16));
            assertThat(reading.findRecords(vault, "Patient", "p2")).isEmpty();
        }
    }

    private static VaultRecord record(String id, String lookupKey) {
        return new VaultRecord(id, "pp1_" + "ab".repeat(32), Salt.random().toBytes(), "application/fhir+json",
                "{}".getBytes(StandardCharsets.UTF_8), new byte[0], Instant.EPOCH).withLookupKeys(List.of(lookupKey));
    }
}
