package io.caduceus.adapters.ethereum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

class AnchorKeysTest {

    @TempDir
    Path dir;

    @Test
    void aGeneratedKeyIsEncryptedOwnerOnlyAndLoadsWithItsPassword() throws Exception {
        Path keystore = dir.resolve("anchor/anchorer.keystore.json");
        Path password = dir.resolve("anchor/anchorer.password");
        AnchorKeys.generate(keystore, password);
        Credentials key = AnchorKeys.load(keystore, password);
        assertThat(key.getAddress()).matches("0x[0-9a-f]{40}");
        String stored = Files.readString(keystore);
        assertThat(stored).contains("\"crypto\"").contains("scrypt")
                .doesNotContain(key.getEcKeyPair().getPrivateKey().toString(16));
        Set<PosixFilePermission> ownerOnly = Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(keystore)).isEqualTo(ownerOnly);
        assertThat(Files.getPosixFilePermissions(password)).isEqualTo(ownerOnly);
        try (var left = Files.list(keystore.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "anchorer.keystore.json", "anchorer.password");
        }
    }

    @Test
    void aKeystoreOrPasswordFileOthersCanReadIsRefusedNamingTheFix() throws Exception {
        Path keystore = dir.resolve("open.json");
        Path password = dir.resolve("open.password");
        AnchorKeys.generate(keystore, password);
        Files.setPosixFilePermissions(password, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> AnchorKeys.load(keystore, password)).isInstanceOf(AnchorKeyException.class)
                .hasMessageContaining("caduceus.anchor.keystore-password-file").hasMessageContaining("chmod 600 " + password);
        Files.setPosixFilePermissions(password, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(keystore, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        assertThatThrownBy(() -> AnchorKeys.load(keystore, password)).isInstanceOf(AnchorKeyException.class)
                .hasMessageContaining("caduceus.anchor.keystore-file").hasMessageContaining("chmod 600 " + keystore);
        Files.setPosixFilePermissions(keystore, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(AnchorKeys.load(keystore, password)).isNotNull();
    }

    @Test
    void aWrongPasswordOrAMissingFileIsASetupErrorThatNamesNoSecret() throws Exception {
        Path keystore = dir.resolve("k.json");
        Path password = dir.resolve("k.password");
        assertThatThrownBy(() -> AnchorKeys.load(keystore, password)).isInstanceOf(AnchorKeyException.class)
                .hasMessageContaining("missing");
        AnchorKeys.generate(keystore, password);
        Files.writeString(password, "not-the-password");
        assertThatThrownBy(() -> AnchorKeys.load(keystore, password)).isInstanceOf(AnchorKeyException.class)
                .hasMessageContaining("does not open").hasMessageNotContaining("not-the-password");
    }
}
