package io.caduceus.it;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * How integration tests reach the devnet: the {@code devnet/.run/conn/*.properties} files that each service's
 * {@code up} writes. Reading them (instead of hard-coding ports) keeps tests working when a deployer moves ports.
 */
public final class Devnet {

    private Devnet() {
    }

    public static Path repoDir() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("devnet/devnet"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("cannot find the repository root (devnet/devnet) above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    public static Path runDir() {
        String override = System.getenv("CADUCEUS_RUN_DIR");
        return override != null ? Path.of(override) : repoDir().resolve("devnet/.run");
    }

    /** All connection properties currently published by running devnet services. */
    public static Properties connection() {
        Properties props = new Properties();
        Path conn = runDir().resolve("conn");
        if (!Files.isDirectory(conn)) {
            return props;
        }
        try (Stream<Path> files = Files.list(conn)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".properties")).sorted().toList()) {
                try (Reader reader = Files.newBufferedReader(file)) {
                    props.load(reader);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read devnet connection files in " + conn, e);
        }
        return props;
    }

    /** A connection property; fails with a clear message when the service that publishes it is not up. */
    public static String property(String key) {
        String value = connection().getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("devnet property '" + key + "' is missing: is its service up? (devnet/devnet status)");
        }
        return value;
    }
}
