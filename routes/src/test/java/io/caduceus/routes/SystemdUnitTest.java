package io.caduceus.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker/systemd/caduceus.service, which no machine of this project runs (no systemd as PID 1 here): it restarts a
 * failed middleware but gives up on a start loop, runs it unprivileged and confined to its data folder, and starts
 * the jar the build makes, with the devnet's JVM options and the secrets from systemd's credentials.
 */
class SystemdUnitTest {

    private static Path repo;
    private static Map<String, Map<String, List<String>>> unit;

    @BeforeAll
    static void load() throws IOException {
        repo = Path.of("").toAbsolutePath();
        while (!Files.isRegularFile(repo.resolve("docker/systemd/caduceus.service"))) {
            repo = repo.getParent();
            assertThat(repo).as("repository root above the working directory").isNotNull();
        }
        unit = parse(Files.readString(repo.resolve("docker/systemd/caduceus.service")));
    }

    /** Sections of key=value lines; a key may repeat; a trailing backslash continues the line. */
    private static Map<String, Map<String, List<String>>> parse(String text) {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> current = null;
        String pending = "";
        for (String raw : text.split("\n")) {
            String line = pending + raw.strip();
            if (line.endsWith("\\")) {
                pending = line.substring(0, line.length() - 1) + " ";
                continue;
            }
            pending = "";
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                current = sections.computeIfAbsent(line.substring(1, line.indexOf(']')), k -> new LinkedHashMap<>());
                continue;
            }
            assertThat(current).as("a setting before any section: %s", line).isNotNull();
            int eq = line.indexOf('=');
            assertThat(eq).as("key=value: %s", line).isPositive();
            current.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>()).add(line.substring(eq + 1));
        }
        return sections;
    }

    private static String one(String section, String key) {
        List<String> values = unit.getOrDefault(section, Map.of()).get(key);
        assertThat(values).as("%s in [%s]", key, section).isNotNull().hasSize(1);
        return values.get(0);
    }

    @Test
    void aFailedMiddlewareIsRestartedButAStartLoopStops() {
        assertThat(one("Service", "Restart")).isEqualTo("on-failure");
        assertThat(one("Service", "RestartSec")).matches("[1-9][0-9]*s");
        assertThat(Integer.parseInt(one("Unit", "StartLimitBurst"))).isBetween(2, 10);
        assertThat(Integer.parseInt(one("Unit", "StartLimitIntervalSec")))
                .as("the window holds the burst's restarts").isGreaterThan(
                        Integer.parseInt(one("Unit", "StartLimitBurst"))
                                * Integer.parseInt(one("Service", "RestartSec").replace("s", "")));
        assertThat(one("Service", "ExecStart")).as("the shared JVM options, which keep no half-dead JVM")
                .contains("@/opt/caduceus/jvm.options");
        // Camel drains for up to 45 s on SIGTERM, and the JVM then exits 143, a normal stop.
        assertThat(Integer.parseInt(one("Service", "TimeoutStopSec").replace("s", ""))).isGreaterThan(45);
        assertThat(one("Service", "SuccessExitStatus")).isEqualTo("143");
    }

    @Test
    void itRunsUnprivilegedAndWritesOnlyItsDataFolder() {
        assertThat(one("Service", "User")).isEqualTo("caduceus");
        assertThat(one("Service", "NoNewPrivileges")).isEqualTo("yes");
        assertThat(one("Service", "CapabilityBoundingSet")).isEmpty();
        assertThat(one("Service", "ProtectSystem")).isEqualTo("strict");
        assertThat(one("Service", "ProtectHome")).isEqualTo("yes");
        assertThat(one("Service", "PrivateTmp")).isEqualTo("yes");
        assertThat(one("Service", "UMask")).isEqualTo("0077");
        assertThat(one("Service", "RestrictAddressFamilies").split(" "))
                .containsExactlyInAnyOrder("AF_UNIX", "AF_INET", "AF_INET6");
        // ProtectSystem=strict leaves the StateDirectory writable: it must be where the middleware keeps its data.
        assertThat(unit.get("Service").get("Environment"))
                .contains("CADUCEUS_DATA_DIRECTORY=/var/lib/" + one("Service", "StateDirectory"));
        assertThat(unit.get("Service")).doesNotContainKey("ReadWritePaths");
        assertThat(unit.get("Service")).as("the JIT writes executable code").doesNotContainKey("MemoryDenyWriteExecute");
        assertThat(Integer.parseInt(one("Service", "LimitNOFILE"))).isGreaterThanOrEqualTo(4096);
    }

    @Test
    void itStartsTheBuiltJarWithTheDevnetsJvmOptionsAndItsCredentials() throws IOException {
        String exec = one("Service", "ExecStart");
        Matcher jar = Pattern.compile("-jar (\\S+)").matcher(exec);
        assertThat(jar.find()).as(exec).isTrue();
        String pom = Files.readString(repo.resolve("routes/pom.xml"));
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertThat(finalName.find()).isTrue();
        assertThat(Path.of(jar.group(1)).getFileName().toString()).isEqualTo(finalName.group(1) + ".jar");

        List<String> credentials = unit.get("Service").get("LoadCredential");
        assertThat(credentials).hasSize(2);
        for (String credential : credentials) {
            String name = credential.substring(0, credential.indexOf(':'));
            assertThat(exec).as("the middleware reads credential %s", name).contains("=%d/" + name);
        }
        assertThat(exec).contains("-Dcaduceus.secrets.master-key-file=%d/", "-Dcaduceus.secrets.pseudonym-secret-file=%d/");
    }
}
