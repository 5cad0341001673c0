package io.caduceus.edge.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** postgres.password-file, postgres.sslmode and postgres.sslrootcert as the PostgreSQL vault is opened with them. */
class PostgresConnectionTest {

    @TempDir
    Path dir;

    @Test
    void aRemoteServerGetsTlsRequiredByDefaultAndVerifiedWithARootCertificate() {
        assertThat(PostgresConnection.secureUrl("jdbc:postgresql://db.example.org:5432/caduceus", "", null))
                .isEqualTo("jdbc:postgresql://db.example.org:5432/caduceus?sslmode=require");
        assertThat(PostgresConnection.secureUrl("jdbc:postgresql://10.1.2.3/caduceus?ApplicationName=x", "", Path.of("/etc/pg/root ca.crt")))
                .isEqualTo("jdbc:postgresql://10.1.2.3/caduceus?ApplicationName=x&sslmode=verify-full&sslrootcert=%2Fetc%2Fpg%2Froot+ca.crt");
        assertThat(PostgresConnection.secureUrl("jdbc:postgresql://db.example.org/caduceus", "verify-ca", null))
                .endsWith("?sslmode=verify-ca");
    }

    @Test
    void aWeakerModeToARemoteServerStopsTheStart() {
        for (String mode : new String[] {"disable", "allow", "prefer"}) {
            assertThatThrownBy(() -> PostgresConnection.secureUrl("jdbc:postgresql://db.example.org/caduceus", mode, null))
                    .as(mode).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("require");
        }
        // ...also when it hides in the URL, or when one of several hosts is remote.
        assertThatThrownBy(() -> PostgresConnection.secureUrl("jdbc:postgresql://db.example.org/caduceus?sslmode=disable", "", null))
                .hasMessageContaining("unencrypted");
        assertThatThrownBy(() -> PostgresConnection.secureUrl("jdbc:postgresql://127.0.0.1:5432,db.example.org:5432/caduceus", "prefer", null))
                .hasMessageContaining("unencrypted");
        assertThatThrownBy(() -> PostgresConnection.secureUrl("jdbc:postgresql://db.example.org/caduceus?sslmode=require", "verify-full", null))
                .hasMessageContaining("one place");
        assertThatThrownBy(() -> PostgresConnection.secureUrl("jdbc:postgresql://db.example.org/caduceus", "sometimes", null))
                .hasMessageContaining("must be one of");
    }

    @Test
    void theDevnetOnLoopbackMayGoWithoutTls() {
        for (String url : new String[] {"jdbc:postgresql://127.0.0.1:15432/caduceus", "jdbc:postgresql://localhost/caduceus",
                "jdbc:postgresql://[::1]:5432/caduceus", "jdbc:postgresql:caduceus"}) {
            assertThat(PostgresConnection.secureUrl(url, "", null)).as(url).isEqualTo(url);
        }
        assertThat(PostgresConnection.secureUrl("jdbc:postgresql://127.0.0.1:15432/caduceus", "disable", null))
                .endsWith("?sslmode=disable");
        assertThat(PostgresConnection.hosts("jdbc:postgresql://a:1,[::1]:2,c/db")).containsExactly("a", "::1", "c");
    }

    @Test
    void thePasswordComesFromAnOwnerOnlyFile() throws Exception {
        Path file = Files.writeString(dir.resolve("pg.password"), "db-s3cret\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        PostgresConnection db = PostgresConnection.of("jdbc:postgresql://db.example.org/caduceus", "caduceus", "", file, "", null);
        assertThat(db.password()).isEqualTo("db-s3cret");
        assertThat(db.toString()).doesNotContain("db-s3cret");

        assertThatThrownBy(() -> PostgresConnection.of("jdbc:postgresql://db.example.org/caduceus", "caduceus", "other", file, "", null))
                .hasMessageContaining("not both");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> PostgresConnection.of("jdbc:postgresql://db.example.org/caduceus", "caduceus", "", file, "", null))
                .hasMessageContaining("postgres.password-file").hasMessageContaining("chmod 600").hasMessageNotContaining("db-s3cret");
        // The devnet's plain property still works.
        assertThat(PostgresConnection.of("jdbc:postgresql://127.0.0.1:15432/caduceus", "caduceus", "devnet", null, "", null).password())
                .isEqualTo("devnet");
    }
}
