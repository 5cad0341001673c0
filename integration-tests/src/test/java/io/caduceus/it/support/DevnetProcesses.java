package io.caduceus.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.it.Devnet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The devnet's processes as its pid files under {@code devnet/.run/pids} name them, and the project's own commands
 * that start them again: what fault-injecting tests kill and bring back.
 */
public final class DevnetProcesses {

    private DevnetProcesses() {
    }

    /** The pid in {@code pids/<name>.pid} (a service's process group leader, or e.g. {@code middleware.child}). */
    public static long pid(String name) throws IOException {
        return Long.parseLong(Files.readString(Devnet.runDir().resolve("pids/" + name + ".pid")).strip());
    }

    /** kill -9 of the service's whole process group (the node and whatever it started); returns the group's pid. */
    public static long killGroup(String service) throws IOException, InterruptedException {
        long pid = pid(service);
        Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + pid).redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill -KILL of %s", service).isTrue();
        return pid;
    }

    /** Runs {@code devnet/devnet args...}, its output appended to {@code log}; fails unless it exits 0 within. */
    public static void devnet(Path log, Duration within, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Devnet.repoDir().resolve("devnet/devnet").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        String what = "devnet " + String.join(" ", args);
        assertThat(process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)).as(what).isTrue();
        assertThat(process.exitValue()).as("%s (see %s)", what, log).isZero();
    }

    /**
     * Runs {@code ./caduceus args...} with {@code environment} added (e.g. the middleware's options), its errors
     * appended to {@code work/caduceus.log}; fails on a non-zero exit; returns its standard output.
     */
    public static String caduceus(Path work, Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Devnet.repoDir().resolve("caduceus").toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(work, "caduceus", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("caduceus.log").toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).as("./caduceus %s", String.join(" ", args)).isTrue();
        assertThat(process.exitValue()).as("./caduceus %s (see %s)", String.join(" ", args), work.resolve("caduceus.log"))
                .isZero();
        return Files.readString(out);
    }
}
