package io.caduceus.it.ingest;

import static io.caduceus.it.support.MiddlewareApi.number;
import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.json.CanonicalJson;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.Hl7Messages;
import io.caduceus.it.support.DevnetProcesses;
import io.caduceus.it.support.HisSenders;
import io.caduceus.it.support.MerkleJournal;
import io.caduceus.it.support.MiddlewareApi;
import io.caduceus.verifier.ProofVerifier;
import io.caduceus.verifier.Verdict;
import io.caduceus.verifier.VerifierOptions;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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

    private final String prefix = "CMF" + Long.toString(System.nanoTime() % 1_000_000_000L, 36).toUpperCase() + "-";
    private final Map<String, String> report = new LinkedHashMap<>();
    private String token = "";
    private final MiddlewareApi api = MiddlewareApi.withToken(port("CADUCEUS_HTTP_PORT", 8080), () -> token,
            Duration.ofSeconds(10));
    private HisSenders senders;

    @Test
    void everyAcknowledgedMessageIsInTheMerkleLogOnceAfterTheChainAndTheMiddlewareAreKilledUnderLoad() throws Exception {
        Path data = work.resolve("data");
        String suffix = Long.toString(System.nanoTime());
        String opts = String.join(" ", "-Dcaduceus.data.directory=" + data,
                "-Dcaduceus.kafka.topic.ledger-entries=it.cmfaults.ledger-entries." + suffix,
                "-Dcaduceus.kafka.topic.quarantine=it.cmfaults.quarantine." + suffix,
                "-Dcaduceus.fabric.enabled=false",
                "-Dcaduceus.anchor.max-interval-ms=2000", "-Dcaduceus.anchor.tick-ms=500");
        try {
            caduceus(opts, "up", "kafka", "ethereum");
            token = caduceus(opts, "token", "--scope", "caduceus.operator caduceus.auditor", "--lifetime", "3600").strip();
            api.awaitReady(Duration.ofSeconds(60));
            senders = HisSenders.start(SENDERS, prefix, port("CADUCEUS_MLLP_PORT", 2575), SENDER_TIMEOUT_MS,
                    PAUSE_MILLIS);
            Set<String> acknowledged = senders.acknowledged();
            Thread.sleep(SETTLE.toMillis());
            assertThat(acknowledged).as("the load runs before any fault").isNotEmpty();
            String earlyRecord = Hl7Messages.recordIdOf(Hl7Messages.recordIds(data.resolve("secrets/pseudonym.key")),
                    acknowledged.iterator().next());
            chainNodeKilled(opts);
            middlewareKilled();
            middlewareRestarted(opts);

            senders.phase("after");
            Thread.sleep(3_000);
            senders.stop(Duration.ofSeconds(60));

            // Every acknowledged record in the Merkle log (fed from the Kafka topic), once the log has caught up.
            Set<String> ids = recordIds(data, acknowledged);
            Path journal = MerkleJournal.of(data);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            Map<String, Integer> leaves = MerkleJournal.awaitLeaves(journal, ids, Duration.ofMinutes(2));
            // The last anchor covers the whole log, on the chain as it is now.
            Map<?, ?> anchoring = Map.of();
            long logSize = leaves.size();
            while (System.nanoTime() < deadline) {
                anchoring = api.getJson("/api/anchoring");
                if (number(anchoring.get("lastAnchoredSize")) >= logSize && number(anchoring.get("logSize")) >= logSize) {
                    break;
                }
                Thread.sleep(500);
            }
            assertThat(number(anchoring.get("lastAnchoredSize"))).as("anchored after the faults: %s", anchoring)
                    .isGreaterThanOrEqualTo(logSize);
            HttpResponse<String> proof = api.get("/api/proofs/" + earlyRecord);
            assertThat(proof.statusCode()).as(proof.body()).isEqualTo(200);
            Verdict verdict = ProofVerifier.verify(proof.body(), Optional.empty(), Devnet.property("ethereum.rpc.url"),
                    VerifierOptions.defaults());
            assertThat(verdict.result()).as("a record stored before the chain reset, proved on the new chain: "
                    + verdict.toText()).isEqualTo(Verdict.Result.VALID);
            report.put("ingest", CanonicalJson.write(api.getJson("/api/status").get("ingest")));

            caduceus(opts, "down", "middleware");
            leaves = MerkleJournal.leaves(journal);
            for (String id : ids) {
                assertThat(leaves.get(id)).as("leaves of acknowledged record %s", id).isEqualTo(1);
            }
            List<HisSenders.Send> sends = senders.sends();
            Map<String, Integer> ours = new HashMap<>();
            Set<String> sentIds = recordIds(data, sends.stream().map(HisSenders.Send::controlId).collect(Collectors.toSet()));
            leaves.forEach((leaf, count) -> {
                if (sentIds.contains(leaf)) {
                    ours.put(leaf, count);
                }
            });
            assertThat(ours.values()).as("no record of this test is in the log twice, acknowledged or not")
                    .allSatisfy(count -> assertThat(count).isEqualTo(1));

            long attempts = sends.size();
            long aa = sends.stream().filter(s -> s.code().equals("AA")).count();
            long ae = sends.stream().filter(s -> s.code().equals("AE")).count();
            long none = sends.stream().filter(s -> s.code().equals(HisSenders.NO_ANSWER)).count();
            long distinct = sends.stream().map(HisSenders.Send::controlId).distinct().count();
            report.put("sends", String.format("%d attempts of %d messages: %d AA (%d distinct acknowledged), %d AE, "
                            + "%d without an answer; %d resends; %d records of this test in the log (%d acknowledged)",
                    attempts, distinct, aa, acknowledged.size(), ae, none, attempts - distinct, ours.size(), ids.size()));
            writeLog(sends);
            System.out.println("ChainAndMiddlewareFaultsIT: " + report);
        } finally {
            if (senders != null) {
                senders.stop(Duration.ofSeconds(60));
            }
            caduceus(opts, "down", "middleware");
        }
    }

    /** kill -9 of hardhat's process group; down for 10 s; ./caduceus restart ethereum: a new chain from genesis. */
    private void chainNodeKilled(String opts) throws Exception {
        senders.phase("ethereum-down");
        long lostBefore = lostAnchors();
        int before = senders.acknowledged().size();
        long killedAt = System.nanoTime();
        DevnetProcesses.killGroup("ethereum");
        Thread.sleep(10_000);
        int duringOutage = senders.acknowledged().size() - before;
        long aeDuring = senders.sends().stream().filter(s -> s.phase().equals("ethereum-down") && !s.code().equals("AA"))
                .count();
        senders.phase("ethereum-restart");
        caduceus(opts, "restart", "ethereum");
        long backAt = System.nanoTime();
        senders.phase("ethereum-back");
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
                TimeUnit.NANOSECONDS.toMillis(lostFoundAt - backAt), senders.acknowledged().size() - before));
    }

    /** kill -9 of the middleware's JVM alone: its watchdog starts it again; senders reconnect and resend. */
    private void middlewareKilled() throws Exception {
        senders.phase("middleware-killed");
        Map<String, String> watchdog = watchdog();
        long jvm = DevnetProcesses.pid("middleware.child");
        ProcessHandle handle = ProcessHandle.of(jvm).orElseThrow(() -> new AssertionError("no middleware JVM " + jvm));
        long killedAt = System.nanoTime();
        handle.destroyForcibly();
        handle.onExit().get(30, TimeUnit.SECONDS);
        api.awaitReady(Duration.ofSeconds(120));
        long readyAt = System.nanoTime();
        long firstAa = senders.awaitAaAfter(killedAt, Duration.ofSeconds(60));
        long newJvm = DevnetProcesses.pid("middleware.child");
        assertThat(newJvm).as("the watchdog started a new JVM").isNotEqualTo(jvm);
        assertThat(watchdog().get("restarts")).as("watchdog before %s", watchdog)
                .isEqualTo(String.valueOf(Long.parseLong(watchdog.get("restarts")) + 1));
        assertThat(watchdog().get("lastExit")).isEqualTo("137");
        assertThat(middlewareJvms()).as("one middleware JVM").hasSize(1);
        senders.phase("middleware-back");
        Thread.sleep(SETTLE.toMillis());
        report.put("middleware-kill", String.format("watchdog restart to readiness UP %d ms after the kill, first AA "
                        + "%d ms after the kill", TimeUnit.NANOSECONDS.toMillis(readyAt - killedAt),
                TimeUnit.NANOSECONDS.toMillis(firstAa - killedAt)));
    }

    /** ./caduceus restart middleware under load: a clean stop the watchdog does not answer, then one new JVM. */
    private void middlewareRestarted(String opts) throws Exception {
        senders.phase("middleware-restart");
        long jvm = DevnetProcesses.pid("middleware.child");
        long started = System.nanoTime();
        caduceus(opts, "restart", "middleware");
        long restarted = System.nanoTime();
        long firstAa = senders.awaitAaAfter(restarted, Duration.ofSeconds(60));
        assertThat(ProcessHandle.of(jvm).map(ProcessHandle::isAlive).orElse(false)).as("the old JVM stopped").isFalse();
        Thread.sleep(3_000); // a watchdog that wrongly restarted the old JVM would have done so by now
        assertThat(middlewareJvms()).as("one middleware JVM after restart").hasSize(1);
        assertThat(watchdog()).containsEntry("state", "running").containsEntry("restarts", "0");
        senders.phase("middleware-restarted");
        Thread.sleep(SETTLE.toMillis());
        report.put("middleware-restart", String.format("./caduceus restart took %d ms, first AA %d ms after it returned",
                TimeUnit.NANOSECONDS.toMillis(restarted - started), TimeUnit.NANOSECONDS.toMillis(firstAa - restarted)));
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
        Map<?, ?> lost = (Map<?, ?>) api.getJson("/api/anchoring").get("lostAnchors");
        return lost == null ? 0 : number(lost.get("count"));
    }

    /** Runs ./caduceus with the test's middleware options; fails on a non-zero exit; returns its standard output. */
    private String caduceus(String opts, String... args) throws Exception {
        // CADUCEUS_SKIP_BUILD: the jar this build packaged, never an install.
        return DevnetProcesses.caduceus(work, Map.of("CADUCEUS_MIDDLEWARE_OPTS", opts, "CADUCEUS_SKIP_BUILD", "true"),
                args);
    }

    /** One line per send, as ./caduceus load --log writes them, beside the other failsafe reports. */
    private void writeLog(List<HisSenders.Send> sends) throws IOException {
        Path log = Devnet.repoDir().resolve("integration-tests/target/ChainAndMiddlewareFaultsIT-sends.tsv");
        Files.createDirectories(log.getParent());
        StringBuilder text = new StringBuilder("phase\tcontrolId\tack\tlatencyMs\n");
        for (HisSenders.Send s : sends) {
            text.append(s.phase()).append('\t').append(s.controlId()).append('\t').append(s.code()).append('\t')
                    .append(s.waitedMillis()).append('\n');
        }
        Files.writeString(log, text.toString());
        report.put("log", log.toString());
    }

    private static Set<String> recordIds(Path data, Set<String> controlIds) {
        var ids = Hl7Messages.recordIds(data.resolve("secrets/pseudonym.key"));
        return controlIds.stream().map(id -> Hl7Messages.recordIdOf(ids, id)).collect(Collectors.toSet());
    }

    private static int port(String variable, int otherwise) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? otherwise : Integer.parseInt(value.strip());
    }
}
