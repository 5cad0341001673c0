package io.caduceus.it.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordIds;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.Hl7Messages;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.KafkaTopicReader;
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
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 Kafka, then PostgreSQL (the vault), during a steady HL7 load from senders that wait 30 s for an answer and
 * resend on AE, as hospital systems do; each is started again with the project's own command. During each outage the
 * senders get AE 207 within caduceus.ingest.store-timeout-ms (plus a margin), never silence; readiness says DOWN and
 * /api/status names the component; after recovery readiness is UP again, and every acknowledged message is in the
 * vault, on Kafka under one commitment and in the Merkle log exactly once (counted in the log's own journal).
 *
 * <p>The store breaker: only the first failures of an outage wait the store deadline; once it is open (the status
 * says so) the resends are answered at once, and after the component is back messages are acknowledged again within
 * seconds.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka", "postgres", "ethereum"})
class OutagesIT {

    private static final int SENDERS = 4;
    private static final long STORE_TIMEOUT_MS = 10_000;
    /** Scheduling on a loaded 2-core machine, the sender's own resend pause, GC. */
    private static final long MARGIN_MS = 3_000;
    private static final int SENDER_TIMEOUT_MS = 30_000;
    private static final long PAUSE_MILLIS = 20;
    /** What "at once" means for an answer while the breaker is open: well under a second, even on a busy machine. */
    private static final long FAST_MS = 1_000;
    /** Breaker open time (2 s) plus the producer's or the pool's reconnect, on a busy machine. */
    private static final long RECOVERY_BOUND_MS = 10_000;

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    /** Every AE with how long the sender waited for it, and every send that got no answer at all. */
    private final List<long[]> aeMillisAt = new CopyOnWriteArrayList<>();
    /** When each AA arrived (nanoTime in ms). */
    private final List<Long> aaMillisAt = new CopyOnWriteArrayList<>();
    private final AtomicInteger unanswered = new AtomicInteger();
    private final AtomicInteger otherCodes = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, String> report = new LinkedHashMap<>();
    private int httpPort;

    @Test
    void outagesAreAnsweredWithinTheBoundAndReportedByReadinessAndNothingAcknowledgedIsLostOrDoubled() throws Exception {
        httpPort = InProcessMiddleware.freePort();
        int mllp = InProcessMiddleware.freePort();
        String suffix = Long.toString(System.nanoTime());
        String topic = "it.outages.ledger-entries." + suffix;
        Path data = work.resolve("data");
        Map<String, String> config = new HashMap<>(Map.of(
                "camel.server.port", String.valueOf(httpPort), "caduceus.mllp.port", String.valueOf(mllp),
                "caduceus.data.directory", data.toString(), "caduceus.secrets.generate-if-missing", "true",
                "caduceus.kafka.topic.ledger-entries", topic,
                "caduceus.kafka.topic.quarantine", "it.outages.quarantine." + suffix,
                "caduceus.vault.type", "postgres",
                "caduceus.anchor.devnet-bootstrap", "true",
                "caduceus.anchor.confirmations", "0"));
        config.put("caduceus.ingest.store-timeout-ms", String.valueOf(STORE_TIMEOUT_MS));
        config.put("caduceus.anchor.max-interval-ms", "2000");
        config.put("caduceus.anchor.tick-ms", "500");

        try (MiddlewareProcess middleware = MiddlewareProcess.prepare(work, config)) {
            middleware.start();
            middleware.awaitPort(mllp, Duration.ofSeconds(90));
            awaitReady(Duration.ofSeconds(60));
            List<Thread> senders = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                int sender = s;
                Thread thread = new Thread(() -> send(sender, mllp), "sender-" + s);
                thread.start();
                senders.add(thread);
            }
            Thread.sleep(5_000);
            assertThat(acknowledged).as("the load runs before any fault").isNotEmpty();

            outage("kafka", "kafka", Duration.ofSeconds(30));
            outage("postgres", "vault", Duration.ofSeconds(15));

            Thread.sleep(5_000);
            int beforeEnd = acknowledged.size();
            Thread.sleep(3_000);
            assertThat(acknowledged.size()).as("the load goes on after both recoveries").isGreaterThan(beforeEnd);
            running.set(false);
            for (Thread thread : senders) {
                thread.join(Duration.ofSeconds(60).toMillis());
            }
            Map<?, ?> status = json(get("/api/status").body());
            report.put("status.ingest", CanonicalJson.write(status.get("ingest")));
            System.out.println("OutagesIT: " + acknowledged.size() + " acknowledged; " + report);
            assertThat(unanswered).as("no send went unanswered for %d ms", SENDER_TIMEOUT_MS).hasValue(0);
            assertThat(otherCodes).as("only AA and AE").hasValue(0);

            RecordIds recordIds = Hl7Messages.recordIds(data.resolve("secrets/pseudonym.key"));
            Set<String> ids = acknowledged.stream().map(id -> Hl7Messages.recordIdOf(recordIds, id)).collect(Collectors.toSet());
            // In the Merkle log (fed from the Kafka topic) exactly once: one journal line per appended leaf.
            Path journal = data.resolve("anchor/log/journal");
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            Map<String, Integer> leaves = leaves(journal);
            while (!leaves.keySet().containsAll(ids) && System.nanoTime() < deadline) {
                Thread.sleep(1_000);
                leaves = leaves(journal);
            }
            middleware.stop();
            leaves = leaves(journal);
            for (String id : ids) {
                assertThat(leaves.get(id)).as("leaves of record %s", id).isEqualTo(1);
            }

            // On Kafka: every acknowledged record, one commitment each (a resend of a message whose AE came at the
            // deadline may publish an identical entry again; the log above counted it once).
            List<ConsumerRecord<String, String>> entries = KafkaTopicReader.readAll(Devnet.property("kafka.bootstrap.servers"),
                    topic, Duration.ofSeconds(60), records -> records.stream().map(ConsumerRecord::key)
                            .collect(Collectors.toSet()).containsAll(ids));
            Map<String, Set<String>> commitments = new HashMap<>();
            Map<String, Integer> copies = new HashMap<>();
            for (ConsumerRecord<String, String> entry : entries) {
                commitments.computeIfAbsent(entry.key(), k -> new HashSet<>()).add(LedgerEntry.fromJson(entry.value()).commitment().hex());
                copies.merge(entry.key(), 1, Integer::sum);
            }
            assertThat(commitments.keySet()).containsAll(ids);
            assertThat(commitments.values()).allSatisfy(c -> assertThat(c).as("one commitment per record").hasSize(1));
            System.out.println("OutagesIT: ledger entries published more than once on Kafka: "
                    + copies.values().stream().filter(n -> n > 1).count() + " of " + copies.size());
        } finally {
            running.set(false);
        }
    }

    /**
     * Kills the devnet service's whole process group, keeps it down for {@code down}, starts it with devnet up, and
     * checks what senders and readiness saw meanwhile.
     */
    private void outage(String service, String check, Duration down) throws Exception {
        int aeBefore = aeMillisAt.size();
        Path pidFile = Devnet.runDir().resolve("pids/" + service + ".pid");
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        long killedAt = System.nanoTime();
        Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + pid).redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().orTimeout(30, TimeUnit.SECONDS).join());

        // Readiness while it is down: DOWN, and the operator's status names the component.
        AtomicReference<String> downStatus = new AtomicReference<>();
        long firstDownMillis = -1;
        Set<Object> breakerStates = new HashSet<>();
        while (System.nanoTime() - killedAt < down.toNanos()) {
            breakerStates.add(((Map<?, ?>) ((Map<?, ?>) json(get("/api/status").body()).get("ingest")).get("breaker"))
                    .get("state"));
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(uri("/observe/health"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (health.statusCode() == 503 && downStatus.get() == null) {
                firstDownMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                assertThat(health.body()).as("the public endpoint names nothing").doesNotContain(check);
                downStatus.set(checkOf(json(get("/api/status").body()), check).toString());
            }
            Thread.sleep(500);
        }
        assertThat(downStatus.get()).as("readiness DOWN while %s is down", service).isNotNull()
                .contains("status=DOWN");

        long restartAt = System.nanoTime();
        Process up = new ProcessBuilder(Devnet.repoDir().resolve("devnet/devnet").toString(), "up", service)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("devnet-up.log").toFile()))
                .start();
        assertThat(up.waitFor(5, TimeUnit.MINUTES)).as("devnet up " + service).isTrue();
        assertThat(up.exitValue()).as("devnet up %s (see %s)", service, work.resolve("devnet-up.log")).isZero();
        long backMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
        awaitReady(Duration.ofSeconds(90));
        long upAgainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartAt);
        Thread.sleep(5_000); // resends go through before the next fault

        List<long[]> during = aeMillisAt.subList(aeBefore, aeMillisAt.size());
        assertThat(during).as("senders were asked to resend while %s was down", service).isNotEmpty();
        long maxAe = during.stream().mapToLong(a -> a[0]).max().orElseThrow();
        long firstAe = during.stream().mapToLong(a -> a[1]).min().orElseThrow() - TimeUnit.NANOSECONDS.toMillis(killedAt);
        double meanAe = during.stream().mapToLong(a -> a[0]).average().orElseThrow();
        assertThat(maxAe).as("AE within the store timeout of %d ms plus %d ms", STORE_TIMEOUT_MS, MARGIN_MS)
                .isLessThanOrEqualTo(STORE_TIMEOUT_MS + MARGIN_MS);

        // The breaker: in the order they were answered, the senders' first AEs (one each, in flight at the kill) may
        // wait the deadline; after them the breaker is open and the resends are answered at once, but for the one
        // trial let through every open time.
        List<long[]> inOrder = new ArrayList<>(during);
        inOrder.sort(java.util.Comparator.comparingLong(a -> a[1]));
        List<long[]> first = inOrder.subList(0, Math.min(SENDERS, inOrder.size()));
        long[] later = inOrder.subList(first.size(), inOrder.size()).stream().mapToLong(a -> a[0]).sorted().toArray();
        assertThat(breakerStates).as("the breaker opened while %s was down", service).contains("OPEN");
        assertThat(later).as("resends answered while %s was down", service).hasSizeGreaterThan(SENDERS);
        long median = later[later.length / 2];
        long fast = java.util.Arrays.stream(later).filter(ms -> ms < FAST_MS).count();
        assertThat(median).as("median wait for AE once the breaker is open").isLessThan(FAST_MS);
        assertThat(fast).as("AEs under %d ms of %d", FAST_MS, later.length).isGreaterThanOrEqualTo(later.length * 3L / 4);
        long firstAa = aaMillisAt.stream().filter(t -> t > backMillis).min(Long::compare)
                .orElseThrow(() -> new AssertionError("no AA after " + service + " was back"));
        assertThat(firstAa - backMillis).as("first AA after %s was back, ms", service).isLessThan(RECOVERY_BOUND_MS);
        report.put(service, String.format("%d AE, wait for AE mean %.0f ms max %d ms, first AE %d ms after the kill, "
                        + "readiness DOWN %d ms after the kill (%s), UP %d ms after devnet up returned; breaker: "
                        + "the first %d AE waited %s ms, the %d after them median %d ms, p90 %d ms, %d under %d ms; "
                        + "first AA %d ms after devnet up returned; breaker states seen %s",
                during.size(), meanAe, maxAe, firstAe, firstDownMillis, downStatus.get(), upAgainMillis,
                first.size(), first.stream().map(a -> Long.toString(a[0])).collect(Collectors.joining("/")),
                later.length, median, later[(int) (later.length * 0.9)], fast, FAST_MS, firstAa - backMillis,
                breakerStates));
    }

    private void awaitReady(Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        HttpResponse<String> health = null;
        while (System.nanoTime() < deadline) {
            health = http.send(HttpRequest.newBuilder(uri("/observe/health")).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (health.statusCode() == 200) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("readiness not UP within " + within + ": " + (health == null ? "" : health.body())
                + "; status " + get("/api/status").body());
    }

    private static Map<?, ?> checkOf(Map<?, ?> status, String name) {
        for (Object check : (List<?>) status.get("checks")) {
            if (name.equals(((Map<?, ?>) check).get("name"))) {
                return (Map<?, ?>) check;
            }
        }
        throw new AssertionError("no check " + name + " in " + status);
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
        return http.send(TestIssuer.asOperator(HttpRequest.newBuilder(uri(path))).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Map<?, ?> json(String body) {
        return (Map<?, ?>) CanonicalJson.parse(body);
    }

    /** A sender like a real HIS: one message at a time, 30 s reply timeout, resend on AE or no answer. */
    private void send(int sender, int port) {
        int next = 0;
        MllpClient client = null;
        while (running.get()) {
            String controlId = "OUTAGE-" + sender + "-" + next;
            long started = System.nanoTime();
            try {
                if (client == null) {
                    client = new MllpClient("127.0.0.1", port, SENDER_TIMEOUT_MS);
                }
                String code = MllpClient.ackCode(client.send(Hl7Messages.adt(controlId, "Doe")));
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                if (code.equals("AA")) {
                    acknowledged.add(controlId);
                    aaMillisAt.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
                    next++;
                    Thread.sleep(PAUSE_MILLIS);
                } else if (code.equals("AE")) {
                    aeMillisAt.add(new long[] {waited, TimeUnit.NANOSECONDS.toMillis(System.nanoTime())});
                    Thread.sleep(200);
                } else {
                    otherCodes.incrementAndGet();
                    Thread.sleep(200);
                }
            } catch (IOException | InterruptedException e) {
                if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) >= SENDER_TIMEOUT_MS - 1_000) {
                    unanswered.incrementAndGet(); // MllpClient reports its read timeout as "closed without an ACK"
                }
                client = closed(client);
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    return;
                }
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
}
