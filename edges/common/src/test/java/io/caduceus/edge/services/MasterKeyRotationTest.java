package io.caduceus.edge.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.ingest.vault.VaultException;
import io.caduceus.ingest.vault.VaultRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** caduceus.secrets.master-key-file plus caduceus.secrets.previous-master-key-files, as IngestServices reads them. */
class MasterKeyRotationTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    @Test
    void dataWrittenUnderThePreviousKeyStaysReadableAndIsMovedToTheCurrentKey() throws Exception {
        Path oldKey = keyFile("old.key");
        Path newKey = keyFile("new.key");
        Path vaultDir = dir.resolve("vault");
        VaultRecord before = record("rec-1", "pat-A");
        try (FileRecordVault vault = FileRecordVault.open(vaultDir, IngestServices.masterKeys(oldKey, List.of()))) {
            vault.put(before);
        }

        List<MasterKey> rotated = IngestServices.masterKeys(newKey, List.of(oldKey));
        assertThat(rotated).extracting(MasterKey::keyId)
                .containsExactly(MasterKey.fromFile(newKey).keyId(), MasterKey.fromFile(oldKey).keyId());
        VaultRecord after = record("rec-2", "pat-B");
        try (FileRecordVault vault = FileRecordVault.open(vaultDir, rotated)) {
            assertThat(vault.get("rec-1")).contains(before);
            vault.put(after);
        }

        // The old key is no longer needed: old data was re-wrapped and new data wrapped with the current key.
        try (FileRecordVault vault = FileRecordVault.open(vaultDir, IngestServices.masterKeys(newKey, List.of()))) {
            assertThat(vault.get("rec-1")).contains(before);
            assertThat(vault.get("rec-2")).contains(after);
        }
        // ...and not enough: the old key alone cannot open what the new one wrapped.
        assertThatThrownBy(() -> FileRecordVault.open(vaultDir, IngestServices.masterKeys(oldKey, List.of())))
                .isInstanceOf(VaultException.class).hasMessageContaining("not given");
    }

    @Test
    void theCurrentKeyListedAgainAsAPreviousOneIsAConfigurationError() throws Exception {
        Path current = keyFile("current.key");
        Path copy = Files.write(dir.resolve("copy.key"), Files.readAllBytes(current));
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> IngestServices.masterKeys(current, List.of(copy)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("previous-master-key-files").hasMessageContaining(copy.toString());
    }

    private Path keyFile(String name) throws Exception {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        Path file = Files.write(dir.resolve(name), key);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static VaultRecord record(String id, String pseudonym) {
        byte[] salt = new byte[VaultRecord.SALT_LENGTH];
        RANDOM.nextBytes(salt);
        return new VaultRecord(id, pseudonym, salt, "application/fhir+json",
                "{\"resourceType\":\"Bundle\"}".getBytes(StandardCharsets.UTF_8),
                "MSH|^~\\&|A|B".getBytes(StandardCharsets.ISO_8859_1), Instant.parse("2024-05-01T10:15:30Z"));
    }
}
