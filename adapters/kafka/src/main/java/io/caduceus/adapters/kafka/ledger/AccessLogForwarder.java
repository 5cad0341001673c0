package io.caduceus.adapters.kafka.ledger;

import io.caduceus.ingest.ledger.CommitResult;
import io.caduceus.ingest.ledger.LedgerException;
import io.caduceus.ingest.ledger.LedgerWriter;
import io.caduceus.ingest.ledger.RetryPolicy;
import io.caduceus.adapters.kafka.RecordMac;
import io.caduceus.adapters.kafka.ConsumerLoop;
import io.caduceus.adapters.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the access log on the ledger: the access events FHIR reads write to their Kafka topic (before the read is
 * answered, so a read never waits on an orderer) go to the Fabric channel (through the {@link LedgerWriter} port) in
 * {@code PutAccessEvents} transactions of up to a thousand events or a second. Offsets are committed once the transaction is VALID; a batch the chaincode
 * refuses for its content goes, event by event, to the dead-letter topic, so one malformed event does not hold the log
 * back and nothing is dropped. Reads are far rarer than ingested messages, so one transaction in flight suffices.
 *
 * <p>Only events the middleware wrote go to the ledger: one without a valid {@value RecordMac#HEADER} header goes
 * straight to the dead-letter topic ({@code caduceus.refusal: UNAUTHENTICATED}), so a stranger with access to the topic
 * cannot put invented reads on the access log.
 */
public final class AccessLogForwarder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AccessLogForwarder.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int MAX_EVENTS = 1000;
    private static final Duration MAX_DELAY = Duration.ofSeconds(1);

    private final LedgerWriter ledger;
    private final RetryPolicy retry;
    private final String topic;
    private final String deadLetterTopic;
    private final java.util.Properties consumerProperties;
    private final java.util.Properties producerProperties;
    private final RecordMac recordMac;
    private final Thread thread;
    private final ConsumerLoop loop = new ConsumerLoop(LOG, "putting the access log on Fabric",
            "starting over from the committed offsets", LedgerException.class);
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastBlock = new AtomicLong(-1);
    private volatile String lastTransaction;

    public AccessLogForwarder(ForwarderSettings settings, LedgerWriter ledger, KafkaClients kafka) {
        this.ledger = ledger;
        this.recordMac = kafka.recordMac();
        this.retry = settings.batcher().retryPolicy();
        this.topic = settings.accessEventsTopic();
        this.deadLetterTopic = settings.accessEventsTopic() + ".dead-letter";
        this.consumerProperties = ForwarderKafka.consumer(kafka,
                settings.consumerGroup() + ".access-log", "caduceus-fabric-access-log", MAX_EVENTS, MAX_DELAY,
                retry.maxElapsed().multipliedBy(3));
        this.producerProperties = ForwarderKafka.deadLetterProducer(kafka,
                "caduceus-fabric-access-dead-letters");
        this.thread = new Thread(this::run, "caduceus-fabric-access-log");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        loop.run(() -> new KafkaConsumer<String, byte[]>(consumerProperties), c -> {
            try (KafkaProducer<String, byte[]> deadLetters = new KafkaProducer<>(producerProperties)) {
                c.subscribe(List.of(topic));
                forward(c, deadLetters);
                return false;
            }
        });
    }

    private void forward(KafkaConsumer<String, byte[]> c, KafkaProducer<String, byte[]> deadLetters) {
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
        long firstAt = 0;
        while (loop.running()) {
            ConsumerRecords<String, byte[]> records = c.poll(POLL);
            for (ConsumerRecord<String, byte[]> record : records) {
                if (!admit(record, deadLetters)) {
                    continue;
                }
                if (batch.isEmpty()) {
                    firstAt = System.nanoTime();
                }
                batch.add(record);
                if (batch.size() == MAX_EVENTS) {
                    submit(c, deadLetters, batch);
                }
            }
            if (!batch.isEmpty() && System.nanoTime() - firstAt >= MAX_DELAY.toNanos()) {
                submit(c, deadLetters, batch);
            }
            loop.recovered();
        }
    }

    /**
     * Whether the middleware wrote the event; if not, it goes to the dead-letter topic now (its offset is passed by
     * the next batch's commit).
     *
     * @throws IllegalStateException when the dead-letter topic does not take it: the forwarder starts over
     */
    boolean admit(ConsumerRecord<String, byte[]> record, Producer<String, byte[]> deadLetters) {
        RecordMac.Verdict verdict = recordMac.verify(RecordMac.Stream.ACCESS_EVENTS, record.value(), record.headers());
        if (verdict.valid()) {
            return true;
        }
        UnauthenticatedRecords.deadLetter(deadLetters, deadLetterTopic, record, verdict);
        refused.incrementAndGet();
        LOG.warn("refused an access event the middleware did not write (MAC {}) at {}-{} offset {}; it went to {}",
                verdict, record.topic(), record.partition(), record.offset(), deadLetterTopic);
        return false;
    }

    /** Puts the batch on the ledger (or in the dead-letter topic), then commits its offsets; empties it. */
    private void submit(KafkaConsumer<String, byte[]> c, KafkaProducer<String, byte[]> deadLetters,
            List<ConsumerRecord<String, byte[]>> batch) {
        try {
            CommitResult result = retry.call(() -> ledger.putAccessEvents(json(batch)));
            committed.addAndGet(batch.size());
            recorded(result);
        } catch (LedgerException e) {
            if (e.isRetriable() || !refersToContent(e)) {
                throw e;
            }
            isolate(deadLetters, batch, e);
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : batch) {
            offsets.merge(new TopicPartition(record.topic(), record.partition()),
                    new OffsetAndMetadata(record.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        c.commitSync(offsets, Duration.ofSeconds(10));
        batch.clear();
    }

    /** Resubmits a refused batch event by event; the events refused alone go to the dead-letter topic. */
    private void isolate(KafkaProducer<String, byte[]> deadLetters, List<ConsumerRecord<String, byte[]>> batch,
            LedgerException refusal) {
        for (ConsumerRecord<String, byte[]> record : batch) {
            try {
                recorded(retry.call(() -> ledger.putAccessEvents(json(List.of(record)))));
                committed.incrementAndGet();
            } catch (LedgerException e) {
                if (e.isRetriable() || !refersToContent(e)) {
                    throw e;
                }
                ProducerRecord<String, byte[]> dead = new ProducerRecord<>(deadLetterTopic, record.key(), record.value());
                dead.headers().add("caduceus.refusal", e.kind().name().getBytes(StandardCharsets.UTF_8));
                try {
                    deadLetters.send(dead).get(30, TimeUnit.SECONDS);
                } catch (Exception sendFailure) {
                    throw new IllegalStateException("the dead-letter topic " + deadLetterTopic
                            + " did not take a refused access event", sendFailure);
                }
                deadLettered.incrementAndGet();
                LOG.warn("an access event at {}-{} offset {} was refused by Fabric ({}) and went to {}",
                        record.topic(), record.partition(), record.offset(), e.kind(), deadLetterTopic);
            }
        }
        LOG.warn("an access-event batch was refused ({}); its events were submitted one by one", refusal.kind());
    }

    private void recorded(CommitResult result) {
        lastBlock.accumulateAndGet(result.blockNumber(), Math::max);
        lastTransaction = result.transactionId();
    }

    private static boolean refersToContent(LedgerException e) {
        return e.kind() == LedgerException.Kind.INVALID_ARGUMENT || e.kind() == LedgerException.Kind.CONFLICT;
    }

    private static List<String> json(List<ConsumerRecord<String, byte[]>> records) {
        List<String> out = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            // Not parsed here: the chaincode validates every field, and refuses (to the dead letter) what is not JSON.
            String value = record.value() == null ? "null" : new String(record.value(), StandardCharsets.UTF_8);
            out.add(value.isBlank() ? "null" : value);
        }
        return out;
    }

    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("topic", topic);
        out.put("committed", committed.get());
        out.put("deadLettered", deadLettered.get());
        out.put("refusedUnauthenticated", refused.get());
        out.put("lastCommitBlock", lastBlock.get() < 0 ? null : lastBlock.get());
        out.put("lastTransaction", lastTransaction);
        out.put("problem", loop.problem());
        return out;
    }

    @Override
    public void close() {
        loop.stop(thread, 30_000);
    }
}
