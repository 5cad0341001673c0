package io.caduceus.adapters.kafka.ledger;

import io.caduceus.ingest.ledger.DeadLetterSink;
import io.caduceus.ingest.ledger.LedgerBatcher;
import io.caduceus.ingest.ledger.LedgerBatcher.Outcome;
import io.caduceus.ingest.ledger.LedgerBatcher.Position;
import io.caduceus.ingest.ledger.LedgerException;
import io.caduceus.ingest.ledger.LedgerWriter;
import io.caduceus.adapters.kafka.RecordMac;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.stats.LatencyWindow;
import io.caduceus.adapters.kafka.ConsumerLoop;
import io.caduceus.adapters.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves ledger entries from the Kafka topic to the ledger (the Fabric channel, through the {@link LedgerWriter} port
 * that the Fabric adapter implements; this class knows no Fabric type): a consumer group reads the topic, a
 * {@link LedgerBatcher} cuts {@code PutEntries} transactions on size or time and keeps a few in flight, and a partition's
 * offset is committed only once every entry before it is on the ledger (committed VALID) or in the dead-letter topic.
 * A crash therefore redelivers entries at most back to the last committed offset; the ledger may then hold an entry
 * twice, and the bridge, which logs committed entries in ledger order, keeps the first.
 *
 * <p>Only entries the middleware wrote go to Fabric: one without a valid {@value RecordMac#HEADER} header (written by
 * a stranger with access to the topic) goes to the dead-letter topic ({@code caduceus.refusal: UNAUTHENTICATED})
 * before its content is parsed, so it can neither reach the ledger nor take the record id of a real entry.
 *
 * <p>Entries the ledger refuses for their content go to the dead-letter topic with the reason in headers. When the
 * batcher gives up (Fabric unreachable for longer than the retry budget) the forwarder drops its consumer, so nothing
 * uncommitted is skipped, and starts over after a pause.
 */
public final class LedgerForwarder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerForwarder.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration OFFER_WAIT = Duration.ofMillis(200);

    private final ForwarderSettings settings;
    private final LedgerWriter ledger;
    private final Properties consumerProperties;
    private final Properties producerProperties;
    private final RecordMac recordMac;
    private final Thread thread;
    private final ConsumerLoop loop = new ConsumerLoop(LOG, "forwarding ledger entries to Fabric",
            "starting over from the committed offsets", LedgerException.class);
    private final LatencyWindow ackToCommit = new LatencyWindow(100_000);
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong lastBlock = new AtomicLong(-1);
    /** Receive time (epoch ms) of the newest entry committed; with entries waiting, now minus it is the lag. */
    private final AtomicLong newestCommittedReceivedAt = new AtomicLong();
    private volatile LedgerBatcher batcher;
    private volatile long lagEntries;

    public LedgerForwarder(ForwarderSettings settings, LedgerWriter ledger, KafkaClients kafka) {
        this.settings = settings;
        this.ledger = ledger;
        this.recordMac = kafka.recordMac();
        // The poll loop waits on the batcher while every transaction slot is taken; Fabric retries are bounded by the
        // retry budget, so a poll interval well above it never expels a healthy forwarder from its group.
        this.consumerProperties = ForwarderKafka.consumer(kafka, settings.consumerGroup(),
                "caduceus-fabric-forwarder", settings.batcher().maxBatchSize(), settings.batcher().maxBatchDelay(),
                settings.batcher().retryPolicy().maxElapsed().multipliedBy(3));
        this.producerProperties = ForwarderKafka.deadLetterProducer(kafka,
                "caduceus-fabric-dead-letters");
        this.thread = new Thread(this::run, "caduceus-fabric-forwarder");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        loop.run(() -> new KafkaConsumer<String, byte[]>(consumerProperties), c -> {
            try (KafkaProducer<String, byte[]> deadLetters = new KafkaProducer<>(producerProperties);
                    LedgerBatcher b = new LedgerBatcher(ledger, settings.batcher(),
                            (entries, reason) -> deadLetter(deadLetters, entries, reason))) {
                batcher = b;
                forward(c, b, deadLetters);
                return false;
            } finally {
                batcher = null;
            }
        });
    }

    /** Reads, batches and commits until stopped, or until the batcher fails (throws its failure). */
    private void forward(KafkaConsumer<String, byte[]> c, LedgerBatcher b, Producer<String, byte[]> deadLetters)
            throws InterruptedException {
        c.subscribe(List.of(settings.ledgerTopic()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // Finish what was taken from these partitions, so that their next owner starts after it.
                try {
                    b.flush(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                commit(c, b);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                LOG.info("forwarding ledger entries of {} partitions of {} to Fabric", partitions.size(),
                        settings.ledgerTopic());
            }
        });
        long committedAt = System.nanoTime();
        while (loop.running()) {
            ConsumerRecords<String, byte[]> records = c.poll(POLL);
            for (ConsumerRecord<String, byte[]> record : records) {
                offer(b, record, deadLetters);
                if (!loop.running()) {
                    return;
                }
            }
            b.failure().ifPresent(failure -> {
                throw failure;
            });
            if (System.nanoTime() - committedAt > settings.commitInterval().toNanos()) {
                commit(c, b);
                refreshLag(c);
                committedAt = System.nanoTime();
            }
            loop.recovered();
        }
        b.flush(Duration.ofSeconds(10));
        commit(c, b);
    }

    private void offer(LedgerBatcher b, ConsumerRecord<String, byte[]> record, Producer<String, byte[]> deadLetters)
            throws InterruptedException {
        LedgerEntry entry = admit(record, deadLetters);
        if (entry == null) {
            return;
        }
        Position position = new Position(Integer.toString(record.partition()), record.offset());
        long receivedAt = entry.receivedAt().toEpochMilli();
        while (loop.running()) {
            boolean accepted = b.offer(entry, position, outcome -> completed(outcome, receivedAt), OFFER_WAIT);
            if (accepted) {
                forwarded.incrementAndGet();
                return;
            }
            b.failure().ifPresent(failure -> {
                throw failure;
            });
        }
    }

    private void completed(Outcome outcome, long receivedAt) {
        if (outcome instanceof Outcome.Committed c) {
            committed.incrementAndGet();
            ackToCommit.record(System.currentTimeMillis() - receivedAt);
            newestCommittedReceivedAt.accumulateAndGet(receivedAt, Math::max);
            lastBlock.accumulateAndGet(c.result().blockNumber(), Math::max);
        }
    }

    /**
     * The record's ledger entry when the middleware wrote it; otherwise null, the record dead-lettered (unauthentic)
     * or skipped (authentic but not a ledger entry). Its offset is passed by the next entry's commit either way.
     *
     * @throws IllegalStateException when the dead-letter topic does not take a refused record: the forwarder then
     *                               starts over from the committed offsets, so nothing is skipped unrecorded
     */
    LedgerEntry admit(ConsumerRecord<String, byte[]> record, Producer<String, byte[]> deadLetters) {
        RecordMac.Verdict verdict = recordMac.verify(RecordMac.Stream.LEDGER_ENTRIES, record.value(), record.headers());
        if (verdict.valid()) {
            return parse(record);
        }
        UnauthenticatedRecords.deadLetter(deadLetters, settings.deadLetterTopic(), record, verdict);
        refused.incrementAndGet();
        LOG.warn("refused a ledger entry the middleware did not write (MAC {}) at {}-{} offset {}; it went to {}",
                verdict, record.topic(), record.partition(), record.offset(), settings.deadLetterTopic());
        return null;
    }

    private LedgerEntry parse(ConsumerRecord<String, byte[]> record) {
        if (record.value() != null) {
            try {
                return LedgerEntry.fromJson(new String(record.value(), StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                // Falls through: a parse error's message may quote the content.
            }
        }
        // Not a ledger entry: nothing to put on the ledger. Its offset is passed by the next entry's commit.
        malformed.incrementAndGet();
        LOG.warn("skipped a record of {}-{} at offset {} that is not a ledger entry", record.topic(),
                record.partition(), record.offset());
        return null;
    }

    private void commit(KafkaConsumer<String, byte[]> c, LedgerBatcher b) {
        Map<String, Long> done = b.committablePositions();
        if (done.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Map.Entry<String, Long> e : done.entrySet()) {
            offsets.put(new TopicPartition(settings.ledgerTopic(), Integer.parseInt(e.getKey())),
                    new OffsetAndMetadata(e.getValue() + 1));
        }
        c.commitSync(offsets, Duration.ofSeconds(10));
    }

    /**
     * Entries on the topic that the group has not committed yet (on the ledger or dead-lettered): the end offsets less
     * the group's committed offsets (the consumer's position for a partition the group never committed), whoever
     * committed them: a restarted forwarder reports the lag it inherited.
     */
    private void refreshLag(KafkaConsumer<String, byte[]> c) {
        try {
            Set<TopicPartition> assigned = c.assignment();
            Map<TopicPartition, Long> ends = c.endOffsets(assigned, Duration.ofSeconds(2));
            Map<TopicPartition, OffsetAndMetadata> committed = c.committed(assigned, Duration.ofSeconds(2));
            long lag = 0;
            for (TopicPartition tp : assigned) {
                OffsetAndMetadata done = committed.get(tp);
                long from = done != null ? done.offset() : c.position(tp, Duration.ofSeconds(2));
                lag += Math.max(0, ends.getOrDefault(tp, from) - from);
            }
            lagEntries = lag;
        } catch (KafkaException e) {
            LOG.debug("the lag is unknown for now: {}", e.getClass().getSimpleName());
        }
    }

    /** A refused batch goes to the dead-letter topic, entry by entry, keyed by record id; the reason in headers. */
    private void deadLetter(Producer<String, byte[]> producer, List<DeadLetterSink.Entry> entries,
            LedgerException reason) {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>(entries.size());
        for (DeadLetterSink.Entry e : entries) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(settings.deadLetterTopic(),
                    e.entry().recordId().value(), e.entry().toJsonBytes());
            record.headers().add("caduceus.refusal", reason.kind().name().getBytes(StandardCharsets.UTF_8));
            reason.transactionId().ifPresent(tx ->
                    record.headers().add("caduceus.fabric.transaction", tx.getBytes(StandardCharsets.UTF_8)));
            record.headers().add("caduceus.source", (settings.ledgerTopic() + "-" + e.position().partition() + "@"
                    + e.position().offset()).getBytes(StandardCharsets.UTF_8));
            sent.add(producer.send(record));
        }
        try {
            for (java.util.concurrent.Future<?> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // Thrown back into the batcher, which then stops rather than lose the batch: its offsets stay uncommitted.
            throw new IllegalStateException("the dead-letter topic " + settings.deadLetterTopic()
                    + " did not take a refused batch", e);
        }
        deadLettered.addAndGet(entries.size());
        LOG.warn("{} ledger entries refused by Fabric ({}) went to {}", entries.size(), reason.kind(),
                settings.deadLetterTopic());
    }

    /** Entries on the topic not yet committed to Fabric: the consumer's lag, or the batcher's backlog if larger. */
    public long lagEntries() {
        LedgerBatcher b = batcher;
        LedgerBatcher.Metrics m = b == null ? null : b.metrics();
        return Math.max(lagEntries, m == null ? 0 : m.pendingEntries());
    }

    /**
     * Seconds since the newest entry committed was received, while entries wait; 0 without a lag; null (unknown)
     * while entries wait and none was committed yet.
     */
    public Long lagSeconds() {
        if (lagEntries() == 0) {
            return 0L;
        }
        long newest = newestCommittedReceivedAt.get();
        return newest > 0 ? Long.valueOf(Math.max(0, (System.currentTimeMillis() - newest) / 1000)) : null;
    }

    public long committedEntries() {
        return committed.get();
    }

    public long deadLetteredEntries() {
        return deadLettered.get();
    }

    /** What the status shows: counts, lag in entries and seconds, ACK-to-commit latency, the last problem. */
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        LedgerBatcher b = batcher;
        LedgerBatcher.Metrics m = b == null ? null : b.metrics();
        out.put("topic", settings.ledgerTopic());
        out.put("consumerGroup", settings.consumerGroup());
        out.put("forwarded", forwarded.get());
        out.put("committed", committed.get());
        out.put("deadLettered", deadLettered.get());
        out.put("skippedMalformed", malformed.get());
        out.put("refusedUnauthenticated", refused.get());
        out.put("pendingEntries", m == null ? 0 : m.pendingEntries());
        out.put("inFlightTransactions", m == null ? 0 : m.inFlightBatches());
        out.put("transactions", m == null ? 0 : m.batchesCommitted());
        out.put("retries", m == null ? 0 : m.retries());
        out.put("lastCommitBlock", lastBlock.get() < 0 ? null : lastBlock.get());
        out.put("lagEntries", lagEntries());
        out.put("lagSeconds", lagSeconds());
        out.put("ackToCommit", ackToCommit.summary());
        out.put("problem", loop.problem());
        return out;
    }

    @Override
    public void close() {
        loop.stop(thread, 30_000);
    }
}
