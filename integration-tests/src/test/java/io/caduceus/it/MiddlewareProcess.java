package io.caduceus.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The middleware as its own operating-system process, started from the built jar as ./caduceus does, so a test can
 * kill it with SIGKILL mid-load and start it again on the same data folder.
 */
public final class MiddlewareProcess implements AutoCloseable {

    /** Off unless a test sets it: see {@code prepare}/{@code start}. */
    public static final String FABRIC_ENABLED = "caduceus.fabric.enabled";

    private final List<String> command;
    private final Path log;
    private Process process;

    private MiddlewareProcess(List<String> command, Path log) {
        this.command = command;
        this.log = log;
    }

    /** Prepares (does not start) a middleware whose configuration folder is the devnet's plus {@code overrides}. */
    public static MiddlewareProcess prepare(Path workDir, Map<String, String> overrides) throws IOException {
        Path jar = Devnet.repoDir().resolve("routes/target/caduceus-routes.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the routes module must be packaged first");
        }
        // Dev only, as on ./caduceus up: the devnet bootstrap (caduceus.anchor.devnet-bootstrap=true) next to the jar.
        Path devnetBootstrap = Devnet.repoDir().resolve("devnet/bootstrap/target/caduceus-devnet-bootstrap.jar");
        if (!Files.isRegularFile(devnetBootstrap)) {
            throw new IllegalStateException(devnetBootstrap + " is missing: the devnet/bootstrap module must be packaged "
                    + "first");
        }
        Path config = Files.createDirectories(workDir.resolve("config"));
        try (var files = Files.list(Devnet.runDir().resolve("conn"))) {
            for (Path file : files.toList()) {
                Files.copy(file, config.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        StringBuilder props = new StringBuilder();
        // Whether a Fabric network happens to be up (and its conn file present) must not change what a test runs:
        // tests of the Fabric flow ask for it with caduceus.fabric.enabled=true.
        if (!overrides.containsKey(FABRIC_ENABLED)) {
            props.append(FABRIC_ENABLED).append("=false\n");
        }
        // Operator APIs and FHIR need a token issuer; a test that brings its own issuer sets all three options.
        if (!overrides.containsKey("caduceus.fhir.auth.issuer")) {
            TestIssuer.middlewareProperties().forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
        }
        overrides.forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
        Files.writeString(config.resolve("zz-test.properties"), props.toString());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "@" + Devnet.repoDir().resolve("routes/jvm.options"), "-cp",
                jar + java.io.File.pathSeparator + devnetBootstrap, "io.caduceus.routes.CaduceusApplication"));
        MiddlewareProcess middleware = new MiddlewareProcess(command, workDir.resolve("middleware.log"));
        middleware.environment = Map.of("CADUCEUS_CONFIG_DIR", config.toString());
        return middleware;
    }

    private Map<String, String> environment = Map.of();

    public void start() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
    }

    /** SIGKILL: no shutdown hook, no flush, exactly what a crash or an OOM killer does. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public void awaitPort(int port, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                if (!isAlive()) {
                    throw new IllegalStateException("middleware exited; see " + log);
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("middleware did not open port " + port + " within " + within + "; see " + log);
    }

    @Override
    public void close() {
        stop();
    }

    /** Stops the middleware gracefully (SIGTERM), killing it if it does not stop within 30 s. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
