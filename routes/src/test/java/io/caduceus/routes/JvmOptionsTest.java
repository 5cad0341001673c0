package io.caduceus.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The middleware's JVM options live in one file, routes/jvm.options, and every launcher reads it: three copies of the
 * GC flags had already drifted apart (the image lacked ExitOnOutOfMemoryError, the tests' launcher the pause goal).
 */
class JvmOptionsTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    /** Each launcher and how it names the shared file. */
    private static final Map<String, String> LAUNCHERS = Map.of(
            "caduceus", "@\"$REPO_DIR/routes/jvm.options\"",
            "docker/Dockerfile", "\"@/opt/caduceus/jvm.options\"",
            "docker/systemd/caduceus.service", "@/opt/caduceus/jvm.options",
            "integration-tests/src/test/java/io/caduceus/it/MiddlewareProcess.java", "resolve(\"routes/jvm.options\")");

    @Test
    void theSharedFileIsAValidJavaArgumentFileWithTheMeasuredGcSettings() throws IOException {
        List<String> options = options();
        assertThat(options).contains("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:-G1UseAdaptiveIHOP",
                "-XX:InitiatingHeapOccupancyPercent=70", "-XX:+ExitOnOutOfMemoryError");
        assertThat(options).as("the heap is each launcher's own").noneMatch(o -> o.startsWith("-Xmx") || o.startsWith("-Xms"));
        assertThat(options).allMatch(o -> o.startsWith("-"), "only options: one per line, comments after #");
    }

    @Test
    void everyLauncherReadsTheFileAndSetsNoGcFlagOfItsOwn() throws IOException {
        for (Map.Entry<String, String> launcher : LAUNCHERS.entrySet()) {
            String text = Files.readString(REPO.resolve(launcher.getKey()));
            assertThat(text).as(launcher.getKey()).contains(launcher.getValue());
            for (String option : options()) {
                assertThat(text).as("%s repeats %s", launcher.getKey(), option).doesNotContain(option);
            }
        }
    }

    @Test
    void theImageShipsTheFileItNames() throws IOException {
        assertThat(Files.readString(REPO.resolve("docker/Dockerfile"))).contains("COPY routes/jvm.options ./")
                .contains("WORKDIR /opt/caduceus");
    }

    private static List<String> options() throws IOException {
        return Files.readAllLines(REPO.resolve("routes/jvm.options")).stream()
                .map(line -> line.replaceFirst("#.*", "").trim())
                .filter(line -> !line.isEmpty())
                .toList();
    }
}
