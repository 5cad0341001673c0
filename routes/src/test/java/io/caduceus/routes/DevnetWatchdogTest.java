package io.caduceus.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * devnet/lib/supervise.sh, the watchdog ./caduceus up runs the middleware under, with a stand-in command in a run
 * folder of its own (no devnet needed): a kill -9 of the command is answered with a new one and counted; a stop of the
 * watchdog (SIGTERM to its group, as ./caduceus down sends) or the stop marker leaves it down; a clean exit is not
 * restarted; a command that keeps failing is given up.
 */
class DevnetWatchdogTest {

    @TempDir
    Path run;

    private Path supervise;
    private Process watchdog;

    @BeforeEach
    void find() {
        Path repo = Path.of("").toAbsolutePath();
        while (!Files.isRegularFile(repo.resolve("devnet/lib/supervise.sh"))) {
            repo = repo.getParent();
            assertThat(repo).as("repository root above the working directory").isNotNull();
        }
        supervise = repo.resolve("devnet/lib/supervise.sh");
    }

    @AfterEach
    void stop() throws Exception {
        if (watchdog != null && watchdog.isAlive()) {
            new ProcessBuilder("kill", "-KILL", "--", "-" + watchdog.pid()).start().waitFor();
        }
        readChild().flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
    }

    private void start(String... command) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("setsid", "bash", supervise.toString(), "fake"));
        args.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(args).redirectErrorStream(true)
                .redirectOutput(run.resolve("fake.log").toFile());
        builder.environment().put("CADUCEUS_RUN_DIR", run.toString());
        builder.environment().put("CADUCEUS_CACHE_DIR", run.resolve("cache").toString());
        builder.environment().put("CADUCEUS_WATCHDOG_MAX_DELAY", "1"); // restart delays of 1 s, to keep the test short
        watchdog = builder.start();
    }

    private java.util.Optional<Long> readChild() {
        try {
            return java.util.Optional.of(Long.parseLong(Files.readString(run.resolve("pids/fake.child.pid")).strip()));
        } catch (IOException | NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    private String state() {
        try {
            return Files.readString(run.resolve("pids/fake.supervisor")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private long awaitChild() {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> readChild().flatMap(ProcessHandle::of)
                .map(ProcessHandle::isAlive).orElse(false));
        return readChild().orElseThrow();
    }

    @Test
    void aKilledCommandIsStartedAgainAndAStopIsNotAnsweredWithARestart() throws Exception {
        start("sleep", "300");
        long first = awaitChild();
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(state()).isEqualTo("running 0 - -"));

        ProcessHandle.of(first).orElseThrow().destroyForcibly();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> readChild().filter(pid -> pid != first)
                .flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false));
        // The pid is written as the command starts, the state line just after it.
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(state()).startsWith("running 1 137 "));

        long second = readChild().orElseThrow();
        Process stop = new ProcessBuilder("kill", "-TERM", "--", "-" + watchdog.pid()).start();
        assertThat(stop.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(watchdog.waitFor(10, TimeUnit.SECONDS)).as("the watchdog stops with its group").isTrue();
        assertThat(ProcessHandle.of(second).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        Thread.sleep(1_500); // past the first restart delay
        assertThat(state()).startsWith("stopped 1 ");
        assertThat(run.resolve("pids/fake.child.pid")).doesNotExist();
    }

    @Test
    void theStopMarkerMakesAnyExitFinal() throws Exception {
        start("sleep", "300");
        long child = awaitChild();
        Files.writeString(run.resolve("pids/fake.stopping"), "");
        ProcessHandle.of(child).orElseThrow().destroyForcibly(); // what stop_bg's KILL after 10 s does
        assertThat(watchdog.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(state()).isEqualTo("stopped 0 - -");
    }

    @Test
    void aCleanExitIsNotRestarted() throws Exception {
        start("bash", "-c", "exit 0");
        assertThat(watchdog.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(watchdog.exitValue()).isZero();
        assertThat(state()).startsWith("stopped 0 0 ");
    }

    @Test
    void aCommandThatKeepsFailingIsGivenUpAfterFiveRestarts() throws Exception {
        start("bash", "-c", "exit 3");
        // Six starts 1 s apart (the delay capped at 1 s for the test; 1, 2, 4, 8, 16 s otherwise).
        assertThat(watchdog.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(watchdog.exitValue()).isEqualTo(1);
        assertThat(state()).startsWith("gave-up 5 3 ");
        assertThat(Files.readString(run.resolve("fake.log"))).contains("giving up");
    }
}
