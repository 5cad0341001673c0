package io.caduceus.it.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.json.CanonicalJson;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.Hl7Messages;
import io.caduceus.it.MllpClient;
import io.caduceus.verifier.ProofVerifier;
import io.caduceus.verifier.Verdict;
import io.caduceus.verifier.VerifierOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The faults issue 18 names that {@code OutagesIT} (Kafka, PostgreSQL) does not inject, on the devnet's own middleware
 * as {@code ./caduceus up} runs it, during a steady HL7 load from senders that record every MSH-10 and its ACK and
 * resend whatever was not acknowledged AA: kill -9 of the chain node (hardhat), brought back with
 * {@code ./caduceus restart ethereum} (a new chain); kill -9 of the middleware's JVM, which the devnet's watchdog starts
 * again with no command; {@code ./caduceus restart middleware}, which the watchdog must not answer with a second JVM.
 * Afterwards every acknowledged message's record is in the Merkle log exactly once, no record is in it twice
 * (acknowledged or not), the last anchor covers the whole log on the new chain, and a proof of a record stored
 * before the chain reset verifies VALID against it.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka", "ethereum"})
class ChainAndMiddlewareFaultsIT {

    private static final int SENDERS = 4;
    private static final int SENDER_TIMEOUT_MS = 30_000;
    private static final long PAUSE_MILLIS = 20;
    private static final Duration SETTLE = Duration.ofSeconds(8);

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final int httpPort = port("CADUCEUS_HTTP_PORT", 8080);
    private final int mllpPort = port("CADUCEUS_MLLP_PORT", 2575);
    private final String prefix = "CMF" + Long.toString(System.nanoTime() % 1_000_000_000L, 36).toUpperCase() + "-";
    /** Every send: control id, ACK code ("none": no answer), latency, what was being done to the stack. */
    private final ConcurrentLinkedQueue<String[]> sends = new ConcurrentLinkedQueue<>();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    /** nanoTime of every AA, to find the first after a fault. */
    private final ConcurrentLinkedQueue<Long> aaAt = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile String phase = "warm";
    private final Map<String, String> report = new LinkedHashMap<>();
    private String token = "";

    @Test
    void everyAcknowledgedMessageIsInTheMerkleLogOnceAfterTheChainAndTheMiddlewareAreKilledUnderLoad() throws Exception {
        Path data = work.resolve("data");
        String suffix = Long.toString(System.nanoTime());
        String opts = String.join(" ", "-Dcaduceus.data.directory=" + data,
                "-Dcaduceus.kafka.topic.ledger-entries=it.cmfaults.ledger-entries." + suffix,
                "-Dcaduceus.kafka.topic.quarantine=it.cmfaults.quarantine." + suffix,
                "-Dcaduceus.fabric.enabled=false",
                "-Dcaduceus.anchor.max-interval-ms=2000", "-Dcaduceus.anchor.tick-ms=500");
        List<Thread> senders = new ArrayList<>();
        try {
            caduceus(opts, "up", "kafka", "ethereum");
            token = caduceus(opts, "token", "--scope", "caduceus.operator caduceus.auditor", "--lifetime", "3600").strip();
            awaitReady(Duration.ofSeconds(60));
            for (int s = 0; s < SENDERS; s++) {
                int sender = s;
                Thread thread = new Thread(() -> send(sender), "sender-" + s);
                thread.start();
                senders.add(thread);
            }
            Thread.sleep(SETTLE.toMillis());
            assertThat(acknowledged).as("the load runs before any fault").isNotEmpty();
            String earlyRecord = Hl7Messages.recordIdOf(Hl7Messages.recordIds(data.resolve("secrets/pseudonym.key")),
                    acknowledged.iterator().next());
            chainNodeKilled(opts);
            middlewareKilled();
            middlewareRestarted(opts);

            phase = "after";
            Thread.sleep(3_000);
            running.set(false);
            for (Thread thread : senders) {
                thread.join(Duration.ofSeconds(60).toMillis());
            }

            // Every acknowledged record in the Merkle log (fed from the Kafka topic), once the log has caught up.
            Set<String> ids = recordIds(data, acknowledged);
            Path journal = data.resolve("anchor/log/journal");
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            Map<String, Integer> leaves = leaves(journal);
            while (!leaves.keySet().containsAll(ids) && System.nanoTime() < deadline) {
                Thread.sleep(1_000);
                leaves = leaves(journal);
            }
            // The last anchor covers the whole log, on the chain as it is now.
            Map<?, ?> anchoring = Map.of();
            long logSize = leaves.size();
            while (System.nanoTime() < deadline) {
                anchoring = json(get("/api/anchoring").body());
                if (number(anchoring.get("lastAnchoredSize")) >= logSize && number(anchoring.get("logSize")) >= logSize) {
                    break;
                }
                Thread.sleep(500);
            }
            assertThat(number(anchoring.get("lastAnchoredSize"))).as("anchored after the faults: %s", anchoring)
                    .isGreaterThanOrEqualTo(logSize);
            HttpResponse<String> proof = get("/api/proofs/" + earlyRecord);
            assertThat(proof.statusCode()).as(proof.body()).isEqualTo(200);
            Verdict verdict = ProofVerifier.verify(proof.body(), Optional.empty(), Devnet.property("ethereum.rpc.url"),
                    VerifierOptions.defaults());
            assertThat(verdict.result()).as("a record stored before the chain reset, proved on the new chain: "
                    + verdict.toText()).isEqualTo(Verdict.Result.VALID);
            report.put("ingest", CanonicalJson.write(json(get("/api/status").body()).get("ingest")));

            caduceus(opts, "down", "middleware");
            leaves = leaves(journal);
            for (String id : ids) {
                assertThat(leaves.get(id)).as("leaves of acknowledged record %s", id).isEqualTo(1);
            }
            Map<String, Integer> ours = new HashMap<>();
            Set<String> sentIds = recordIds(data, sends.stream().map(s -> s[0]).collect(Collectors.toSet()));
            leaves.forEach((leaf, count) -> {
                if (sentIds.contains(leaf)) {
                    ours.put(leaf, count);
                }
            });
            assertThat(ours.values()).as("no record of this test is in the log twice, acknowledged or not")
                    .allSatisfy(count -> assertThat(count).isEqualTo(1));

            long attempts = sends.size();
            long aa = sends.stream().filter(s -> s[1].equals("AA")).count();
            long ae = sends.stream().filter(s -> s[1].equals("AE")).count();
            long none = sends.stream().filter(s -> s[1].equals("none")).count();
            long distinct = sends.stream().map(s -> s[0]).distinct().count();
            report.put("sends", String.format("%d attempts of %d messages: %d AA (%d distinct acknowledged), %d AE, "
                            + "%d without an answer; %d resends; %d records of this test in the log (%d acknowledged)",
                    attempts, distinct, aa, acknowledged.size(), ae, none, attempts - distinct, ours.size(), ids.size()));
            writeLog();
            System.out.println("ChainAndMiddlewareFaultsIT: " + report);
        } finally {
            running.set(false);
            for (Thread thread : senders) {
                thread.join(Duration.ofSeconds(60).toMillis());
            }
            caduceus(opts, "down", "middleware");
        }
    }

    /** kill -9 of hardhat's process group; down for 10 s; ./caduceus restart ethereum: a new chain from genesis. */
    private void chainNodeKilled(String opts) throws Exception {
        phase = "ethereum-down";
        long lostBefore = lostAnchors();
        int before = acknowledged.size();
        long pid = Long.parseLong(Files.readString(Devnet.runDir().resolve("pids/ethereum.pid")).strip());
        long killedAt = System.nanoTime();
        Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + pid).redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(10_000);
        int duringOutage = acknowledged.size() - before;
        long aeDuring = sends.stream().filter(s -> s[3].equals("ethereum-down") && !s[1].equals("AA")).count();
        phase = "ethereum-restart";
        caduceus(opts, "restart", "ethereum");
        long backAt = System.nanoTime();
        phase = "ethereum-back";
        long deadline = backAt + Duration.ofSeconds(30).toNanos();
        while (lostAnchors() <= lostBefore && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        long lostFoundAt = System.nanoTime();
        assertThat(lostAnchors()).as("the chain reset was noticed as lost anchors").isGreaterThan(lostBefore);
        Thread.sleep(SETTLE.toMillis());
        assertThat(duringOutage).as("HL7 is acknowledged while the chain node is down (the ACK waits for Kafka only)")
                .isPositive();
        report.put("ethereum", String.format("%d acknowledged in the 10 s the node was down, %d not AA; restart took "
                        + "%d ms; lost anchors listed %d ms after it returned; %d acknowledged since the kill",
                duringOutage, aeDuring, TimeUnit.NANOSECONDS.toMillis(backAt - killedAt) - 10_000,
                TimeUnit.NANOSECONDS.toMillis(lostFoundAt - backAt), acknowledged.size() - before));
    }

    /** kill -9 of the middleware's JVM alone: its watchdog starts it again; senders reconnect and resend. */
    private void middlewareKilled() throws Exception {
        phase = "middleware-killed";
        Map<String, String> watchdog = watchdog();
        long jvm = Long.parseLong(Files.readString(Devnet.runDir().resolve("pids/middleware.child.pid")).strip());
        ProcessHandle handle = ProcessHandle.of(jvm).orElseThrow(() -> new AssertionError("no middleware JVM " + jvm));
        long killedAt = System.nanoTime();
        handle.destroyForcibly();
        handle.onExit().get(30, TimeUnit.SECONDS);
        awaitReady(Duration.ofSeconds(120));
        long readyAt = System.nanoTime();
        long firstAa = awaitAaAfter(killedAt, Duration.ofSeconds(60));
        long newJvm = Long.parseLong(Files.readString(Devnet.runDir().resolve("pids/middleware.child.pid")).strip());
        assertThat(newJvm).as("the watchdog started a new JVM").isNotEqualTo(jvm);
        assertThat(watchdog().get("restarts")).as("watchdog before %s", watchdog)
                .isEqualTo(String.valueOf(Long.parseLong(watchdog.get("restarts")) + 1));
        assertThat(watchdog().get("lastExit")).isEqualTo("137");
        assertThat(middlewareJvms()).as("one middleware JVM").hasSize(1);
        phase = "middleware-back";
        Thread.sleep(SETTLE.toMillis());
        report.put("middleware-kill", String.format("watchdog restart to readiness UP %d ms after the kill, first AA "
                        + "%d ms after the kill", TimeUnit.NANOSECONDS.toMillis(readyAt - killedAt),
                TimeUnit.NANOSECONDS.toMillis(firstAa - killedAt)));
    }

    /** ./caduceus restart middleware under load: a clean stop the watchdog does not answer, then one new JVM. */
    private void middlewareRestarted(String opts) throws Exception {
        phase = "middleware-restart";
        long jvm = Long.parseLong(Files.readString(Devnet.runDir().resolve("pids/middleware.child.pid")).strip());
        long started = System.nanoTime();
        caduceus(opts, "restart", "middleware");
        long restarted = System.nanoTime();
        long firstAa = awaitAaAfter(restarted, Duration.ofSeconds(60));
        assertThat(ProcessHandle.of(jvm).map(ProcessHandle::isAlive).orElse(false)).as("the old JVM stopped").isFalse();
        Thread.sleep(3_000); // a watchdog that wrongly restarted the old JVM would have done so by now
        assertThat(middlewareJvms()).as("one middleware JVM after restart").hasSize(1);
        assertThat(watchdog()).containsEntry("state", "running").containsEntry("restarts", "0");
        phase = "middleware-restarted";
        Thread.sleep(SETTLE.toMillis());
        report.put("middleware-restart", String.format("./caduceus restart took %d ms, first AA %d ms after it returned",
                TimeUnit.NANOSECONDS.toMillis(restarted - started), TimeUnit.NANOSECONDS.toMillis(firstAa - restarted)));
    }

    private long awaitAaAfter(long nanos, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Long> first = aaAt.stream().filter(t -> t > nanos).min(Long::compare);
            if (first.isPresent()) {
                return first.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no AA within " + within);
    }

    /** The JVMs running the routes jar whose data folder is this test's (not the watchdog, whose command names them). */
    private List<ProcessHandle> middlewareJvms() {
        String data = "-Dcaduceus.data.directory=" + work.resolve("data");
        return ProcessHandle.allProcesses().filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .filter(p -> p.info().arguments().map(args -> List.of(args).contains(data)
                && List.of(args).stream().anyMatch(a -> a.contains("caduceus-routes.jar"))).orElse(false)).toList();
    }

    private static Map<String, String> watchdog() throws IOException {
        String[] line = Files.readString(Devnet.runDir().resolve("pids/middleware.supervisor")).strip().split(" ");
        return Map.of("state", line[0], "restarts", line[1], "lastExit", line[2], "lastExitAt", line[3]);
    }

    private long lostAnchors() throws Exception {
        Map<?, ?> lost = (Map<?, ?>) json(get("/api/anchoring").body()).get("lostAnchors");
        return lost == null ? 0 : number(lost.get("count"));
    }

    private void awaitReady(Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(uri("/observe/health"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // the middleware is not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("readiness not UP within " + within);
    }

    /** Runs ./caduceus with the test's middleware options; fails on a non-zero exit; returns its standard output. */
    private String caduceus(String opts, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Devnet.repoDir().resolve("caduceus").toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(work, "caduceus", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("caduceus.log").toFile()));
        builder.environment().put("CADUCEUS_MIDDLEWARE_OPTS", opts);
        builder.environment().put("CADUCEUS_SKIP_BUILD", "true"); // the jar this build packaged, never an install
        Process process = builder.start();
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).as("./caduceus %s", String.join(" ", args)).isTrue();
        assertThat(process.exitValue()).as("./caduceus %s (see %s)", String.join(" ", args), work.resolve("caduceus.log"))
                .isZero();
        return Files.readString(out);
    }

    /** A sender like a real HIS: one message at a time, 30 s reply timeout, resend on AE or no answer. */
    private void send(int sender) {
        int next = 0;
        MllpClient client = null;
        while (running.get()) {
            String controlId = prefix + sender + "-" + next;
            long started = System.nanoTime();
            String code = "none";
            try {
                if (client == null) {
                    client = new MllpClient("127.0.0.1", mllpPort, SENDER_TIMEOUT_MS);
                }
                code = MllpClient.ackCode(client.send(Hl7Messages.adt(controlId, "Doe")));
            } catch (IOException e) {
                client = closed(client);
            }
            long now = System.nanoTime();
            sends.add(new String[] {controlId, code, Long.toString(TimeUnit.NANOSECONDS.toMillis(now - started)), phase});
            try {
                if (code.equals("AA")) {
                    acknowledged.add(controlId);
                    aaAt.add(now);
                    next++;
                    Thread.sleep(PAUSE_MILLIS);
                } else {
                    Thread.sleep(code.equals("none") ? 500 : 200);
                }
            } catch (InterruptedException e) {
                break;
            }
        }
        closed(client);
    }

    private static MllpClient closed(MllpClient client) {
        if (client != null) {
            try {
                client.close();
            } catch (IOException ignored) {
                // the connection is gone either way
            }
        }
        return null;
    }

    /** One line per send, as ./caduceus load --log writes them, beside the other failsafe reports. */
    private void writeLog() throws IOException {
        Path log = Devnet.repoDir().resolve("integration-tests/target/ChainAndMiddlewareFaultsIT-sends.tsv");
        Files.createDirectories(log.getParent());
        StringBuilder text = new StringBuilder("phase\tcontrolId\tack\tlatencyMs\n");
        for (String[] s : sends) {
            text.append(s[3]).append('\t').append(s[0]).append('\t').append(s[1]).append('\t').append(s[2]).append('\n');
        }
        Files.writeString(log, text.toString());
        report.put("log", log.toString());
    }

    private static Set<String> recordIds(Path data, Set<String> controlIds) {
        var ids = Hl7Messages.recordIds(data.resolve("secrets/pseudonym.key"));
        return controlIds.stream().map(id -> Hl7Messages.recordIdOf(ids, id)).collect(Collectors.toSet());
    }

    private static Map<String, Integer> leaves(Path journal) throws IOException {
        Map<String, Integer> leaves = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(journal, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return leaves;
        }
        for (String line : lines) {
            if (!line.startsWith("C ") && !line.isEmpty()) {
                leaves.merge(line, 1, Integer::sum);
            }
        }
        return leaves;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<?, ?> json(String body) {
        return (Map<?, ?>) CanonicalJson.parse(body);
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : -1;
    }

    private static int port(String variable, int otherwise) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? otherwise : Integer.parseInt(value.strip());
    }
}
