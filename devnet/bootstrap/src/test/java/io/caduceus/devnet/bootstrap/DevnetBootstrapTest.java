package io.caduceus.devnet.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.bridge.anchoring.AnchorSettings;
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
}
