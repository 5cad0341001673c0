package io.caduceus.routes.anchor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.routes.AppWithoutKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The devnet bootstrap (funding keys, deploying registries) is not in the middleware's jar nor in its lib/: this
 * module's classpath is the production one. Configured as on the devnet, the application refuses to start and says
 * why, rather than run with anchoring that can never connect.
 */
class DevnetBootstrapMissingTest {

    @TempDir
    Path dir;

    @Test
    void theProductionClasspathHoldsNoDevnetBootstrap() {
        assertThat(getClass().getClassLoader().getResource(
                "META-INF/services/io.caduceus.bridge.anchoring.DevnetHook")).isNull();
    }

    @Test
    void devnetBootstrapWithoutTheDevnetModuleStopsTheStartNamingTheModule() {
        assertThatThrownBy(() -> AppWithoutKafka.start(dir, "caduceus.anchor.enabled=true",
                "caduceus.anchor.devnet-bootstrap=true").stop())
                .hasStackTraceContaining("caduceus.anchor.devnet-bootstrap=true")
                .hasStackTraceContaining("caduceus-devnet-bootstrap");
        // Refused before the anchoring log was opened.
        assertThat(Files.exists(dir.resolve("data/anchor/log"))).isFalse();
    }
}
