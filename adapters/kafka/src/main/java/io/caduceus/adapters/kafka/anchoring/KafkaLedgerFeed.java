package io.caduceus.adapters.kafka.anchoring;

import io.caduceus.bridge.AnchoringLog;
import io.caduceus.adapters.kafka.RecordMac;
import io.caduceus.adapters.kafka.ConsumerLoop;
import io.caduceus.bridge.AppendResult;
import io.caduceus.bridge.anchoring.AnchorLatency;
import io.caduceus.bridge.anchoring.CommittedPosition;
import io.caduceus.bridge.anchoring.FeedConflicts;
import io.caduceus.bridge.anchoring.LedgerFeed;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.adapters.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the anchoring log from the ledger-entries topic, standing in for the Fabric channel (which cannot run here):
 * a daemon thread that reads every partition and appends each polled batch to the log together with the offsets
 * after it, in one durable step. The offsets live in the log, not in a consumer group, so the log and the feed can
 * never disagree: after a crash the feed resumes at the last durable batch, and the log ignores the records it
 * already holds.
 *
 * <p>Every Kafka call has a deadline; while Kafka is down (or the topic not yet created) the feed retries with a
 * growing pause. An entry that is not a ledger entry is skipped and counted; only its offset is logged, never its
 * content.
 *
 * <p>Only entries the middleware wrote are appended: an entry without a valid {@value RecordMac#HEADER} header (a
 * stranger with write access to the topic) is refused, counted and logged by offset, before its content is even
 * parsed. Refused entries never reach the log, so the real entry for the same record id is appended when it comes.
 */
final class KafkaLedgerFeed implements LedgerFeed {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaLedgerFeed.class);
    /** Partitions may be added to the topic while the feed runs; look for new ones this often. */
    private static final long PARTITION_CHECK_MILLIS = 60_000;
    private static final int FETCH_MIN_BYTES = 1 << 20;
    private static final long FETCH_MAX_WAIT_MILLIS = 1_000;

    private final AnchoringLog log;
    private final String topic;
    private final Properties consumerProperties;
    private final RecordMac recordMac;
    private final Duration pollTimeout;
    private final Duration callTimeout;
    private final Thread thread;
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final FeedConflicts conflicts = new FeedConflicts();
    private final AnchorLatency latency;
    private final ConsumerLoop loop;

    KafkaLedgerFeed(AnchoringLog log, KafkaClients kafka, String topic, Duration pollTimeout, Duration callTimeout,
                    int maxBatch, AnchorLatency latency) {
        this.log = log;
        this.latency = latency;
        this.topic = topic;
        this.pollTimeout = pollTimeout;
        this.callTimeout = callTimeout;
        this.recordMac = kafka.recordMac();
        Properties props = kafka.properties("caduceus-anchor-feed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        // Bytes, so that a value which is not even UTF-8 is skipped like any other malformed entry.
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Offsets past the end (a topic recreated) start over from the beginning; the log ignores what it holds.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxBatch));
        // Every append is a durable step (several fsyncs). Letting the broker gather up to a second of entries into
        // one poll keeps that to about one step a second under load instead of one per few hundred entries: on a
        // shared disk those fsyncs stalled the vault's, and with them the HL7 acknowledgements (p99 near 1 s).
        props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, Integer.toString(FETCH_MIN_BYTES));
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Long.toString(Math.min(pollTimeout.toMillis(), FETCH_MAX_WAIT_MILLIS)));
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(callTimeout.toMillis()));
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(callTimeout.toMillis()));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumerProperties = props;
        // The log refusing a batch (disk full, corrupted files) is an error; nothing is lost, the batch is read again.
        this.loop = new ConsumerLoop(LOG, "anchoring feed from " + topic, "retrying", FeedWaitException.class);
        this.thread = new Thread(this::run, "caduceus-anchor-feed");
        thread.setDaemon(true);
    }

    /** What the consumer is made with (a copy). */
    Properties consumerProperties() {
        Properties copy = new Properties();
        copy.putAll(consumerProperties);
        return copy;
    }

    @Override
    public void start() {
        thread.start();
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("source", "kafka");
        out.put("topic", topic);
        out.put("position", log.position().orElse(null));
        out.put("skippedMalformed", skipped.get());
        out.put("refusedUnauthenticated", refused.get());
        out.put("conflicts", conflicts.count());
        out.put("latestConflicts", conflicts.latest());
        out.put("problem", loop.problem());
        return out;
    }


    private void run() {
        loop.run(() -> new KafkaConsumer<String, byte[]>(consumerProperties), this::consume);
    }

    /** Reads until stopped; true when the topic's partitions changed and the caller should reassign. */
    private boolean consume(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> partitions = partitions(c);
        c.assign(partitions);
        // A log the Fabric feed filled (Fabric since switched off) holds no topic offsets: read the topic from its
        // start, and the log skips the records it already holds.
        String position = log.position().filter(p -> !CommittedPosition.isCommitted(p)).orElse("");
        TreeMap<Integer, Long> next = FeedPositions.decode(position);
        for (TopicPartition partition : partitions) {
            Long offset = next.get(partition.partition());
            if (offset == null) {
                c.seekToBeginning(List.of(partition));
            } else {
                c.seek(partition, offset);
            }
        }
        LOG.info("anchoring feed reads {} ({} partitions) from {}", topic, partitions.size(),
                next.isEmpty() ? "the beginning" : FeedPositions.encode(next));
        long checkedAt = System.currentTimeMillis();
        while (loop.running()) {
            ConsumerRecords<String, byte[]> records = c.poll(pollTimeout);
            loop.recovered();
            if (!records.isEmpty()) {
                append(records, next);
            }
            if (System.currentTimeMillis() - checkedAt > PARTITION_CHECK_MILLIS) {
                checkedAt = System.currentTimeMillis();
                if (partitions(c).size() != partitions.size()) {
                    LOG.info("the partitions of {} changed; reassigning", topic);
                    return true;
                }
            }
        }
        return false;
    }

    /** Appends the authentic entries of {@code records} with the offsets after them; advances {@code next}. */
    void append(ConsumerRecords<String, byte[]> records, Map<Integer, Long> next) {
        List<LedgerEntry> entries = new ArrayList<>(records.count());
        Map<Integer, Long> after = new TreeMap<>(next);
        for (ConsumerRecord<String, byte[]> record : records) {
            after.put(record.partition(), record.offset() + 1);
            LedgerEntry entry = parse(record);
            if (entry != null) {
                entries.add(entry);
            }
        }
        AppendResult result = log.append(entries, FeedPositions.encode(after));
        conflicts.record(result, "topic " + topic);
        if (result.appended() > 0) {
            latency.appended(result.head().size(), entries);
        }
        next.putAll(after);
        if (result.appended() > 0 || result.skipped() > 0) {
            LOG.debug("anchoring log: {} appended, {} already logged, size {}", result.appended(), result.skipped(),
                    result.head().size());
        }
    }

    private LedgerEntry parse(ConsumerRecord<String, byte[]> record) {
        RecordMac.Verdict verdict = recordMac.verify(RecordMac.Stream.LEDGER_ENTRIES, record.value(), record.headers());
        if (!verdict.valid()) {
            refused.incrementAndGet();
            LOG.warn("anchoring feed refused a ledger entry the middleware did not write (MAC {}) at {}-{} offset {}",
                    verdict, record.topic(), record.partition(), record.offset());
            return null;
        }
        if (record.value() != null) {
            try {
                return LedgerEntry.fromJson(new String(record.value(), StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                // Falls through: the message of a parse error may quote the content.
            }
        }
        skipped.incrementAndGet();
        LOG.warn("anchoring feed skipped a malformed ledger entry at {}-{} offset {}", record.topic(),
                record.partition(), record.offset());
        return null;
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
        List<PartitionInfo> infos = c.partitionsFor(topic, callTimeout);
        if (infos == null || infos.isEmpty()) {
            throw new FeedWaitException("topic " + topic + " does not exist yet");
        }
        return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }

    @Override
    public void close() {
        loop.stop(thread, callTimeout.toMillis() + pollTimeout.toMillis());
    }

    private static final class FeedWaitException extends RuntimeException {
        FeedWaitException(String message) {
            super(message);
        }
    }
}
