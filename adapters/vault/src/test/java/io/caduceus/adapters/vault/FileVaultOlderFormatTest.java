package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.ingest.vault.RecordErasedException;
import io.caduceus.ingest.vault.VaultRecord;
import static io.caduceus.adapters.vault.TestRecords.FAKE_NAME;
import static io.caduceus.adapters.vault.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vault written before key generations (keys.log entry types 1 and 2, segment entry types 2 and 4) opens and reads
 * as before, except that a patient erased then is no longer blocked: their next record starts generation 1.
 */
class FileVaultOlderFormatTest {

    @TempDir
    Path dir;

    @Test
    void olderVaultIsReadAndItsErasedPatientsCanReturn() throws IOException {
        MasterKey master = TestRecords.masterKey();
        Keyring ring = new Keyring(List.of(master));
        SecretKey keyA = VaultCrypto.newDataKey();
        SecretKey keyB = VaultCrypto.newDataKey();
        SecretKey quarantineKey = VaultCrypto.newDataKey();
        VaultRecord live = record("rec-1", "pat-A");
        VaultRecord erased = record("rec-2", "pat-B");
        QuarantinedMessage kept = new QuarantinedMessage("q-1", "msg-9", "unparseable",
                FAKE_NAME.getBytes(StandardCharsets.UTF_8), Instant.parse("2024-05-01T10:00:00Z"), Instant.parse("2024-05-01T10:00:01Z"));

        Files.createDirectories(dir.resolve("segments"));
        try (EntryLog keys = EntryLog.open(dir.resolve("keys.log"), (o, l, b, i) -> { }, true)) {
            keys.append(List.of(oldKey("pat-A", master.keyId(), ring.wrap("pat-A", 0, keyA)),
                    oldKey("pat-B", master.keyId(), ring.wrap("pat-B", 0, keyB)),
                    oldKey("", master.keyId(), ring.wrap("", 0, quarantineKey)),
                    oldTombstone("pat-B")));
            keys.force();
        }
        try (EntryLog segment = EntryLog.open(dir.resolve("segments/0000000001.seg"), (o, l, b, i) -> { }, true)) {
            segment.append(List.of(oldRecord(live, "k-a", VaultCrypto.sealRecord(keyA, live)),
                    oldRecord(erased, "k-b", VaultCrypto.sealRecord(keyB, erased)),
                    oldQuarantine(kept, VaultCrypto.sealQuarantine(quarantineKey, kept))));
            segment.force();
        }

        try (FileRecordVault vault = FileRecordVault.open(dir, master)) {
            assertThat(vault.get("rec-1")).contains(live);
            assertThat(vault.findRecords("k-a")).containsExactly("rec-1");
            assertThat(vault.recordsOfPatient("pat-A")).containsExactly("rec-1");
            assertThatThrownBy(() -> vault.get("rec-2")).isInstanceOf(RecordErasedException.class);
            assertThat(vault.findRecords("k-b")).isEmpty();
            assertThat(vault.getQuarantined("q-1")).contains(kept);

            VaultRecord returning = record("rec-3", "pat-B").withLookupKeys(List.of("k-b"));
            vault.put(returning);
            assertThat(vault.get("rec-3")).contains(returning);
            assertThat(vault.findRecords("k-b")).containsExactly("rec-3");

            // The older format's shared quarantine key goes with the last message kept under it.
            assertThat(vault.releaseQuarantined("q-1")).isTrue();
            assertThat(vault.wrappedKeyOf(FileKeyStore.QUARANTINE_OWNER)).isNull();
        }
        try (FileRecordVault vault = FileRecordVault.open(dir, master)) {
            assertThat(vault.get("rec-1")).contains(live);
            assertThat(vault.get("rec-3")).isPresent();
            assertThat(vault.recordsOfPatient("pat-B")).containsExactly("rec-3");
            assertThatThrownBy(() -> vault.get("rec-2")).isInstanceOf(RecordErasedException.class);
            assertThat(vault.listQuarantined()).isEmpty();
        }
    }

    private static byte[] oldKey(String owner, String keyId, byte[] wrapped) throws IOException {
        return body(out -> {
            out.writeByte(1);
            out.writeUTF(owner);
            out.writeUTF(keyId);
            out.writeShort(wrapped.length);
            out.write(wrapped);
        });
    }

    private static byte[] oldTombstone(String owner) throws IOException {
        return body(out -> {
            out.writeByte(2);
            out.writeUTF(owner);
        });
    }

    private static byte[] oldRecord(VaultRecord r, String lookupKey, byte[] sealed) throws IOException {
        return body(out -> {
            out.writeByte(4);
            out.writeUTF(r.recordId());
            out.writeUTF(r.patientPseudonym());
            out.writeShort(1);
            out.writeUTF(lookupKey);
            out.write(sealed);
        });
    }

    private static byte[] oldQuarantine(QuarantinedMessage m, byte[] sealed) throws IOException {
        return body(out -> {
            out.writeByte(2);
            out.writeUTF(m.quarantineId());
            out.write(sealed);
        });
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] body(Writer writer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        }
        return bytes.toByteArray();
    }
}
