package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.VaultException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeyTest {

    @TempDir
    Path dir;

    private final byte[] raw = TestRecords.salt(); // any 32 random bytes

    private Path ownerOnly(Path file) throws Exception {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        return file;
    }

    @Test
    void rawAndBase64FilesGiveTheSameKeyAndId() throws Exception {
        Path rawFile = ownerOnly(Files.write(dir.resolve("raw.key"), raw));
        Path b64File = ownerOnly(Files.writeString(dir.resolve("b64.key"), Base64.getEncoder().encodeToString(raw) + "\n"));
        MasterKey a = MasterKey.fromFile(rawFile);
        MasterKey b = MasterKey.fromFile(b64File);
        assertThat(a.keyId()).isEqualTo(b.keyId()).startsWith("mk-");
        assertThat(a.secretKey().getEncoded()).isEqualTo(raw);
        assertThat(a.toString()).doesNotContain(Base64.getEncoder().encodeToString(raw));
        assertThat(MasterKey.fromFile(rawFile, "kms-2024").keyId()).isEqualTo("kms-2024");
    }

    @Test
    void groupOrWorldReadableFileIsRefused() throws Exception {
        Path file = Files.write(dir.resolve("open.key"), raw);
        assumeTrue(file.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> MasterKey.fromFile(file))
                .isInstanceOf(VaultException.class)
                .hasMessageContaining("chmod 600");
    }

    @Test
    void malformedKeysAreRefusedWithoutEchoingThem() throws Exception {
        Path shortKey = ownerOnly(Files.writeString(dir.resolve("short.key"), Base64.getEncoder().encodeToString(new byte[16])));
        assertThatThrownBy(() -> MasterKey.fromFile(shortKey)).isInstanceOf(VaultException.class).hasMessageContaining("16 bytes");
        String secretish = "not*base64*SECRETVALUE";
        Path junk = ownerOnly(Files.write(dir.resolve("junk.key"), secretish.getBytes(StandardCharsets.US_ASCII)));
        assertThatThrownBy(() -> MasterKey.fromFile(junk)).isInstanceOf(VaultException.class).hasMessageNotContaining("SECRETVALUE");
        assertThatThrownBy(() -> MasterKey.fromEnv("CADUCEUS_SURELY_UNSET_VARIABLE_4711"))
                .isInstanceOf(VaultException.class).hasMessageContaining("not set");
    }
}
