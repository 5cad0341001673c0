package io.caduceus.edge.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ingest secrets (master keys, pseudonym key) are refused at start when group or others can access them. */
class SecretFilePermissionsTest {

    @TempDir
    Path dir;

    @Test
    void masterKeyFilesOthersCanReadAreRefusedNamingTheOptionAndTheFix() throws Exception {
        Path current = key("master.key", "rw-------");
        Path open = key("open.key", "rw-r--r--");
        assertThatThrownBy(() -> IngestServices.masterKeys(open, List.of()))
                .hasMessageContaining("caduceus.secrets.master-key-file").hasMessageContaining("chmod 600 " + open);
        assertThatThrownBy(() -> IngestServices.masterKeys(current, List.of(open)))
                .hasMessageContaining("caduceus.secrets.previous-master-key-files").hasMessageContaining("chmod 600 " + open);
    }

    @Test
    void thePseudonymKeyIsReadOnlyWhenOwnerOnly() throws Exception {
        Path ok = key("pseudonym.key", "r--------");
        assertThat(IngestServices.readSecret(ok, "the pseudonym key (caduceus.secrets.pseudonym-secret-file)")).hasSize(32);
        Path groupReadable = key("group.key", "rw-r-----");
        assertThatThrownBy(() -> IngestServices.readSecret(groupReadable, "the pseudonym key (caduceus.secrets.pseudonym-secret-file)"))
                .hasMessageContaining("caduceus.secrets.pseudonym-secret-file").hasMessageContaining("chmod 600 " + groupReadable)
                .hasMessageContaining("rw-r-----");
    }

    private Path key(String name, String mode) throws Exception {
        Path file = Files.write(dir.resolve(name), new byte[32]);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }
}
