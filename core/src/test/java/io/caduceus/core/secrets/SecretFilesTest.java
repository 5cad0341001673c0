package io.caduceus.core.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFilesTest {

    private static final String PURPOSE = "the test secret (caduceus.test.secret-file)";

    @TempDir
    Path dir;

    @BeforeEach
    void posix() {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    }

    private Path secret(String name, String content, String mode) throws Exception {
        Path file = Files.writeString(dir.resolve(name), content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    @Test
    void ownerOnlyFilesAreRead() throws Exception {
        assertThat(SecretFiles.readFirstLine(secret("a", "s3cret\nignored", "rw-------"), PURPOSE)).isEqualTo("s3cret");
        assertThat(SecretFiles.readFirstLine(secret("b", "s3cret\r\n", "r--------"), PURPOSE)).isEqualTo("s3cret");
        assertThat(SecretFiles.read(secret("c", "xyz", "rw-------"), PURPOSE)).containsExactly('x', 'y', 'z');
    }

    @Test
    void anyGroupOrOtherPermissionIsRefusedNamingTheFileAndTheFix() throws Exception {
        for (String mode : new String[] {"rw-r--r--", "rw-r-----", "rw----r--", "rw--w----", "rw-----w-", "rwx-----x"}) {
            Path file = secret("open-" + mode, "TOPSECRETVALUE", mode);
            assertThatThrownBy(() -> SecretFiles.read(file, PURPOSE)).as(mode)
                    .isInstanceOf(SecretFiles.InsecureSecretFileException.class)
                    .hasMessageContaining("caduceus.test.secret-file")
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("chmod 600")
                    .hasMessageContaining(mode)
                    .hasMessageNotContaining("TOPSECRETVALUE");
        }
    }

    @Test
    void aLinkIsJudgedByItsTarget() throws Exception {
        Path target = secret("target", "s3cret", "rw-------");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        assertThat(SecretFiles.readFirstLine(link, PURPOSE)).isEqualTo("s3cret");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> SecretFiles.read(link, PURPOSE)).hasMessageContaining("chmod 600");
    }

    @Test
    void missingFilesAndFoldersAreRefused() throws Exception {
        assertThatThrownBy(() -> SecretFiles.read(dir.resolve("missing"), PURPOSE))
                .isInstanceOf(SecretFiles.InsecureSecretFileException.class).hasMessageContaining("does not exist");
        Path folder = Files.createDirectory(dir.resolve("folder"));
        assertThatThrownBy(() -> SecretFiles.requireOwnerOnly(folder, PURPOSE)).hasMessageContaining("not a regular file");
    }
}
