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
import io.caduceus.it.support.DevnetProcesses;
import io.caduceus.it.support.HisSenders;
import io.caduceus.it.support.MerkleJournal;
import io.caduceus.it.support.MiddlewareApi;
import io.caduceus.it.support.MiddlewareSettings;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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

    private final Map<String, String> report = new LinkedHashMap<>();
    private MiddlewareApi api;
    private HisSenders senders;

    @Test
    void outagesAreAnsweredWithinTheBoundAndReportedByReadinessAndNothingAcknowledgedIsLostOrDoubled() throws Exception {
        int httpPort = InProcessMiddleware.freePort();
        api = MiddlewareApi.asOperator(() -> httpPort, Duration.ofSeconds(10));
        int mllp = InProcessMiddleware.freePort();
        String suffix = Long.toString(System.nanoTime());
        Path data = work.resolve("data");
        Map<String, String> config = MiddlewareSettings.of(MiddlewareSettings.process(httpPort, mllp, data),
                MiddlewareSettings.ownTopics("outages", suffix));
        String topic = config.get("caduceus.kafka.topic.ledger-entries");
        config.put("caduceus.vault.type", "postgres");
        config.put("caduceus.anchor.devnet-bootstrap", "true");
        config.put("caduceus.anchor.confirmations", "0");
        config.put("caduceus.ingest.store-timeout-ms", String.valueOf(STORE_TIMEOUT_MS));
        config.put("caduceus.anchor.max-interval-ms", "2000");
        config.put("caduceus.anchor.tick-ms", "500");

        try (MiddlewareProcess middleware = MiddlewareProcess.prepare(work, config)) {
            middleware.start();
            middleware.awaitPort(mllp, Duration.ofSeconds(90));
            api.awaitReady(Duration.ofSeconds(60));
            senders = HisSenders.start(SENDERS, "OUTAGE-", mllp, SENDER_TIMEOUT_MS, PAUSE_MILLIS);
            Set<String> acknowledged = senders.acknowledged();
            Thread.sleep(5_000);
            assertThat(acknowledged).as("the load runs before any fault").isNotEmpty();

            outage("kafka", "kafka", Duration.ofSeconds(30));
            outage("postgres", "vault", Duration.ofSeconds(15));

            Thread.sleep(5_000);
            int beforeEnd = acknowledged.size();
            Thread.sleep(3_000);
            assertThat(acknowledged.size()).as("the load goes on after both recoveries").isGreaterThan(beforeEnd);
            senders.stop(Duration.ofSeconds(60));
            Map<?, ?> status = api.getJson("/api/status");
            report.put("status.ingest", CanonicalJson.write(status.get("ingest")));
            System.out.println("OutagesIT: " + acknowledged.size() + " acknowledged; " + report);
            List<HisSenders.Send> sends = senders.sends();
            // MllpClient reports its read timeout as "closed without an ACK": a send that failed after waiting
            // (almost) the whole timeout went unanswered.
            assertThat(sends.stream().filter(s -> s.code().equals(HisSenders.NO_ANSWER)
                    && s.waitedMillis() >= SENDER_TIMEOUT_MS - 1_000).count())
                    .as("no send went unanswered for %d ms", SENDER_TIMEOUT_MS).isZero();
            assertThat(sends.stream().filter(s -> !List.of("AA", "AE", HisSenders.NO_ANSWER).contains(s.code())).count())
                    .as("only AA and AE").isZero();

            RecordIds recordIds = Hl7Messages.recordIds(data.resolve("secrets/pseudonym.key"));
            Set<String> ids = acknowledged.stream().map(id -> Hl7Messages.recordIdOf(recordIds, id)).collect(Collectors.toSet());
            // In the Merkle log (fed from the Kafka topic) exactly once: one journal line per appended leaf.
            Path journal = MerkleJournal.of(data);
            MerkleJournal.awaitLeaves(journal, ids, Duration.ofMinutes(2));
            middleware.stop();
            Map<String, Integer> leaves = MerkleJournal.leaves(journal);
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
            if (senders != null) {
                senders.halt();
            }
        }
    }

    /**
     * Kills the devnet service's whole process group, keeps it down for {@code down}, starts it with devnet up, and
     * checks what senders and readiness saw meanwhile.
     */
    private void outage(String service, String check, Duration down) throws Exception {
        int mark = senders.sendCount();
        long killedAt = System.nanoTime();
        long pid = DevnetProcesses.killGroup(service);
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().orTimeout(30, TimeUnit.SECONDS).join());

        // Readiness while it is down: DOWN, and the operator's status names the component.
        AtomicReference<String> downStatus = new AtomicReference<>();
        long firstDownMillis = -1;
        Set<Object> breakerStates = new HashSet<>();
        while (System.nanoTime() - killedAt < down.toNanos()) {
            breakerStates.add(((Map<?, ?>) ((Map<?, ?>) api.getJson("/api/status").get("ingest")).get("breaker"))
                    .get("state"));
            HttpResponse<String> health = api.health();
            if (health.statusCode() == 503 && downStatus.get() == null) {
                firstDownMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                assertThat(health.body()).as("the public endpoint names nothing").doesNotContain(check);
                downStatus.set(checkOf(api.getJson("/api/status"), check).toString());
            }
            Thread.sleep(500);
        }
        assertThat(downStatus.get()).as("readiness DOWN while %s is down", service).isNotNull()
                .contains("status=DOWN");

        long restartAt = System.nanoTime();
        DevnetProcesses.devnet(work.resolve("devnet-up.log"), Duration.ofMinutes(5), "up", service);
        long backNanos = System.nanoTime();
        api.awaitReady(Duration.ofSeconds(90));
        long upAgainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartAt);
        Thread.sleep(5_000); // resends go through before the next fault

        List<HisSenders.Send> during = senders.sendsSince(mark).stream().filter(s -> s.code().equals("AE")).toList();
        assertThat(during).as("senders were asked to resend while %s was down", service).isNotEmpty();
        long maxAe = during.stream().mapToLong(HisSenders.Send::waitedMillis).max().orElseThrow();
        long firstAe = TimeUnit.NANOSECONDS.toMillis(during.stream().mapToLong(HisSenders.Send::answeredAtNanos).min()
                .orElseThrow() - killedAt);
        double meanAe = during.stream().mapToLong(HisSenders.Send::waitedMillis).average().orElseThrow();
        assertThat(maxAe).as("AE within the store timeout of %d ms plus %d ms", STORE_TIMEOUT_MS, MARGIN_MS)
                .isLessThanOrEqualTo(STORE_TIMEOUT_MS + MARGIN_MS);

        // The breaker: in the order they were answered, the senders' first AEs (one each, in flight at the kill) may
        // wait the deadline; after them the breaker is open and the resends are answered at once, but for the one
        // trial let through every open time.
        List<HisSenders.Send> inOrder = new ArrayList<>(during);
        inOrder.sort(java.util.Comparator.comparingLong(HisSenders.Send::answeredAtNanos));
        List<HisSenders.Send> first = inOrder.subList(0, Math.min(SENDERS, inOrder.size()));
        long[] later = inOrder.subList(first.size(), inOrder.size()).stream().mapToLong(HisSenders.Send::waitedMillis)
                .sorted().toArray();
        assertThat(breakerStates).as("the breaker opened while %s was down", service).contains("OPEN");
        assertThat(later).as("resends answered while %s was down", service).hasSizeGreaterThan(SENDERS);
        long median = later[later.length / 2];
        long fast = java.util.Arrays.stream(later).filter(ms -> ms < FAST_MS).count();
        assertThat(median).as("median wait for AE once the breaker is open").isLessThan(FAST_MS);
        assertThat(fast).as("AEs under %d ms of %d", FAST_MS, later.length).isGreaterThanOrEqualTo(later.length * 3L / 4);
        long firstAa = senders.firstAaAfter(backNanos)
                .orElseThrow(() -> new AssertionError("no AA after " + service + " was back"));
        long firstAaMillis = TimeUnit.NANOSECONDS.toMillis(firstAa - backNanos);
        assertThat(firstAaMillis).as("first AA after %s was back, ms", service).isLessThan(RECOVERY_BOUND_MS);
        report.put(service, String.format("%d AE, wait for AE mean %.0f ms max %d ms, first AE %d ms after the kill, "
                        + "readiness DOWN %d ms after the kill (%s), UP %d ms after devnet up returned; breaker: "
                        + "the first %d AE waited %s ms, the %d after them median %d ms, p90 %d ms, %d under %d ms; "
                        + "first AA %d ms after devnet up returned; breaker states seen %s",
                during.size(), meanAe, maxAe, firstAe, firstDownMillis, downStatus.get(), upAgainMillis,
                first.size(), first.stream().map(a -> Long.toString(a.waitedMillis())).collect(Collectors.joining("/")),
                later.length, median, later[(int) (later.length * 0.9)], fast, FAST_MS, firstAaMillis,
                breakerStates));
    }

    private static Map<?, ?> checkOf(Map<?, ?> status, String name) {
        for (Object check : (List<?>) status.get("checks")) {
            if (name.equals(((Map<?, ?>) check).get("name"))) {
                return (Map<?, ?>) check;
            }
        }
        throw new AssertionError("no check " + name + " in " + status);
    }
}
