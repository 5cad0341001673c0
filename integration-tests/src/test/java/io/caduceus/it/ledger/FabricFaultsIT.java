package io.caduceus.it.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.json.CanonicalJson;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.Hl7Messages;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.MiddlewareProcess;
import io.caduceus.it.MllpClient;
import io.caduceus.it.TestIssuer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.methods.response.VoidResponse;
import org.web3j.protocol.http.HttpService;

/**
 * Kill -9, one after the other during a sustained HL7 load, a chaincode service, a peer, an orderer, the Kafka broker
 * and the middleware, each started again with the project's own commands; senders resend what was never acknowledged,
 * as HL7 senders do. Afterwards every acknowledged message's record is in the bridge's Merkle log, which is fed only
 * from what Fabric committed, exactly once (counted in the log's own journal); nothing is left waiting between Kafka
 * and Fabric; and an anchor covers them all. Skipped with the devnet's reason where no Fabric binaries are found.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka", "ethereum", "fabric"})
class FabricFaultsIT {

    private static final int SENDERS = 4;
    /** Pacing per sender: a sustained load the faults hit in the middle of, not a saturation test. */
    private static final long PAUSE_MILLIS = 20;
    private static final Duration SETTLE = Duration.ofSeconds(8);

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Integer> acknowledgedPerFault = new LinkedHashMap<>();

    @Test
    void everyAcknowledgedMessageIsOnTheLedgerAndInTheMerkleLogExactlyOnceAfterEachKill() throws Exception {
        int httpPort = InProcessMiddleware.freePort();
        int mllp = InProcessMiddleware.freePort();
        String suffix = Long.toString(System.nanoTime());
        Path data = work.resolve("data");
        Map<String, String> config = new HashMap<>(Map.of(
                "camel.server.port", String.valueOf(httpPort), "caduceus.mllp.port", String.valueOf(mllp),
                "caduceus.data.directory", data.toString(), "caduceus.secrets.generate-if-missing", "true",
                "caduceus.kafka.topic.ledger-entries", "it.faults.ledger-entries." + suffix,
                "caduceus.kafka.topic.quarantine", "it.faults.quarantine." + suffix,
                "caduceus.fabric.consumer-group", "it.faults." + suffix,
                InProcessMiddleware.FABRIC_ENABLED, "true",
                "caduceus.anchor.devnet-bootstrap", "true",
                "caduceus.anchor.confirmations", "1"));
        config.put("caduceus.anchor.max-interval-ms", "2000");
        config.put("caduceus.anchor.tick-ms", "500");
        config.put("caduceus.fabric.batch.max-delay-ms", "200");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean running = new AtomicBoolean(true);
        HttpService rpc = new HttpService(Devnet.property("ethereum.rpc.url"));

        try (MiddlewareProcess middleware = MiddlewareProcess.prepare(work, config)) {
            middleware.start();
            middleware.awaitPort(mllp, Duration.ofSeconds(90));
            Thread.sleep(3_000); // let the topics be created before the load starts
            List<Thread> senders = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                int sender = s;
                Thread thread = new Thread(() -> send(sender, mllp, acknowledged, running), "sender-" + s);
                thread.start();
                senders.add(thread);
            }
            Thread.sleep(SETTLE.toMillis());
            String ordering = Devnet.property("fabric.ordering");
            String orderer = "bft".equals(ordering) ? "fabric-orderer1" : "fabric-orderer0";
            for (String fault : List.of("fabric-cc-auditor", "fabric-peer-auditor", orderer, "fabric-cc-hospital",
                    "fabric-peer-hospital", "kafka")) {
                killAndRestart(fault, acknowledged);
            }
            int before = acknowledged.size();
            middleware.kill();
            Thread.sleep(1_000);
            middleware.start();
            middleware.awaitPort(mllp, Duration.ofSeconds(90));
            Thread.sleep(SETTLE.toMillis());
            acknowledgedPerFault.put("middleware", acknowledged.size() - before);
            running.set(false);
            for (Thread thread : senders) {
                thread.join(Duration.ofMinutes(2).toMillis());
            }
            System.out.println("FabricFaultsIT: " + acknowledged.size() + " messages acknowledged; acknowledged while "
                    + "each fault and its recovery happened: " + acknowledgedPerFault);

            // Nothing stuck: the forwarder drains to Fabric, the log catches up, and an anchor covers every record.
            io.caduceus.core.domain.RecordIds recordIds = Hl7Messages.recordIds(data.resolve("secrets/pseudonym.key"));
            Set<String> ids = acknowledged.stream().map(id -> Hl7Messages.recordIdOf(recordIds, id)).collect(Collectors.toSet());
            Set<String> notYetLogged = new java.util.HashSet<>(ids);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            Map<?, ?> ledger = Map.of();
            Map<?, ?> anchoring = Map.of();
            long anchoredNeeded = -1;
            while (System.nanoTime() < deadline) {
                ledger = json(get(httpPort, "/api/ledger"));
                anchoring = json(get(httpPort, "/api/anchoring"));
                Map<?, ?> forwarding = (Map<?, ?>) ledger.get("kafkaToFabric");
                boolean drained = number(forwarding.get("lagEntries")) == 0
                        && number(forwarding.get("pendingEntries")) == 0;
                if (drained && anchoredNeeded < 0 && logged(httpPort, notYetLogged)) {
                    anchoredNeeded = number(anchoring.get("logSize"));
                }
                if (anchoredNeeded > 0 && number(anchoring.get("lastAnchoredSize")) >= anchoredNeeded) {
                    break;
                }
                new Request<>("hardhat_mine", List.of("0x1"), rpc, VoidResponse.class).send();
                Thread.sleep(1_000);
            }
            assertThat(anchoredNeeded).as("every acknowledged record logged and the forwarder drained; ledger %s; "
                    + "anchoring %s", ledger, anchoring).isPositive();
            assertThat(number(anchoring.get("lastAnchoredSize"))).as("anchoring resumed and covers every record; %s",
                    anchoring).isGreaterThanOrEqualTo(anchoredNeeded);
            assertThat(((Map<?, ?>) anchoring.get("feed")).get("source")).isEqualTo("fabric");
            assertThat(number(((Map<?, ?>) ledger.get("kafkaToFabric")).get("deadLettered"))).isZero();
            System.out.println("FabricFaultsIT: after the faults, ledger " + CanonicalJson.write(ledger));
            middleware.stop();

            // Exactly once, counted in the anchoring log's own journal (one line per appended leaf).
            Map<String, Integer> leaves = new HashMap<>();
            for (String line : Files.readAllLines(data.resolve("anchor/log/journal"), StandardCharsets.US_ASCII)) {
                if (!line.startsWith("C ")) {
                    leaves.merge(line, 1, Integer::sum);
                }
            }
            for (String id : ids) {
                assertThat(leaves.get(id)).as("leaves of record %s", id).isEqualTo(1);
            }
        } finally {
            running.set(false);
        }
    }

    private void killAndRestart(String process, Set<String> acknowledged) throws Exception {
        int before = acknowledged.size();
        Path pidFile = Devnet.runDir().resolve("pids/" + process + ".pid");
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError(process + " is not running"));
        handle.destroyForcibly(); // SIGKILL
        handle.onExit().get(30, TimeUnit.SECONDS);
        Thread.sleep(3_000);
        String service = process.startsWith("fabric-") ? "fabric" : process;
        Process up = new ProcessBuilder(Devnet.repoDir().resolve("devnet/devnet").toString(), "up", service)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                        work.resolve("devnet-up.log").toFile())).start();
        assertThat(up.waitFor(10, TimeUnit.MINUTES)).as("devnet up " + service).isTrue();
        assertThat(up.exitValue()).as("devnet up %s (see %s)", service, work.resolve("devnet-up.log")).isZero();
        Thread.sleep(SETTLE.toMillis());
        acknowledgedPerFault.put(process, acknowledged.size() - before);
    }

    /** Removes the records the ledger API finds in the Merkle log; true once none is left. */
    private boolean logged(int port, Set<String> waiting) throws Exception {
        for (java.util.Iterator<String> it = waiting.iterator(); it.hasNext(); ) {
            HttpResponse<String> response = http.send(TestIssuer.asOperator(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/ledger/" + it.next()))).timeout(Duration.ofSeconds(10))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return false;
            }
            it.remove();
        }
        return true;
    }

    private String get(int port, String path) throws Exception {
        return http.send(TestIssuer.asOperator(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static Map<?, ?> json(String body) {
        return (Map<?, ?>) CanonicalJson.parse(body);
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : -1;
    }

    /** A sender like a real HIS: one message at a time, resend until acknowledged, reconnect when the link drops. */
    private static void send(int sender, int port, Set<String> acknowledged, AtomicBoolean running) {
        int next = 0;
        MllpClient client = null;
        while (running.get()) {
            String controlId = "FAULT-" + sender + "-" + next;
            try {
                if (client == null) {
                    client = new MllpClient("127.0.0.1", port, 15_000);
                }
                String code = MllpClient.ackCode(client.send(Hl7Messages.adt(controlId, "Doe")));
                if (code.equals("AA")) {
                    acknowledged.add(controlId);
                    next++;
                    Thread.sleep(PAUSE_MILLIS);
                } else {
                    Thread.sleep(200); // AE: not stored yet (Kafka down); resend
                }
            } catch (IOException | InterruptedException e) {
                close(client);
                client = null;
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
        close(client);
    }

    private static void close(MllpClient client) {
        if (client != null) {
            try {
                client.close();
            } catch (IOException ignored) {
                // the connection is gone either way
            }
        }
    }

}
