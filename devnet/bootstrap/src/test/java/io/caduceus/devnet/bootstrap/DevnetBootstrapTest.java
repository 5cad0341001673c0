package io.caduceus.devnet.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.bridge.anchoring.AnchorSettings;
import io.caduceus.bridge.anchoring.AnchorSetupException;
import io.caduceus.bridge.anchoring.DevnetHook;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevnetBootstrapTest {

    @TempDir
    Path dir;

    private AnchorSettings settings() {
        Map<String, String> props = Map.of("caduceus.anchor.directory", dir.toString(),
                "caduceus.anchor.keystore-file", dir.resolve("k/anchorer.keystore.json").toString(),
                "caduceus.anchor.keystore-password-file", dir.resolve("k/anchorer.password").toString(),
                "caduceus.anchor.devnet-bootstrap", "true");
        return AnchorSettings.from(key -> Optional.ofNullable(props.get(key)));
    }

    @Test
    void theBridgeFindsThisModuleOnTheClasspath() {
        assertThat(DevnetHook.required(settings())).get().isInstanceOf(DevnetBootstrap.class);
    }

    @Test
    void aMissingKeyIsCreatedOnceAndThenKept() throws Exception {
        AnchorSettings settings = settings();
        new DevnetBootstrap().ensureKey(settings);
        assertThat(settings.keystoreFile()).isRegularFile();
        byte[] first = Files.readAllBytes(settings.keystoreFile());
        new DevnetBootstrap().ensureKey(settings);
        assertThat(Files.readAllBytes(settings.keystoreFile())).isEqualTo(first);
    }

    @Test
    void aRegistryIsDeployedOnlyForTheKeyTheBridgeConnectedWith() {
        // The bridge passes the key's address only; the hook opens the key itself and must not deploy for another.
        AnchorSettings settings = settings();
        DevnetBootstrap hook = new DevnetBootstrap();
        hook.ensureKey(settings);
        String other = "0x" + "12".repeat(20);
        assertThatThrownBy(() -> hook.ensureRegistry(settings, other)).isInstanceOf(AnchorSetupException.class)
                .hasMessageContaining(other).hasMessageContaining(settings.keystoreFile().toString());
        assertThat(settings.directory().resolve("devnet-registry-" + settings.chainId() + ".address")).doesNotExist();
    }
}
