package io.caduceus.ingest.ledger;

import static io.caduceus.ingest.ledger.TestEntries.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caduceus.ingest.ledger.LedgerBatcher.Config;
import io.caduceus.ingest.ledger.LedgerBatcher.Outcome;
import io.caduceus.ingest.ledger.LedgerBatcher.Position;
import io.caduceus.ingest.ledger.LedgerException.Kind;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LedgerBatcherTest {

    /** Held so that the JUL logger, and its level, is not collected: these tests provoke failures on purpose. */
    private static final java.util.logging.Logger QUIET = quiet();

    private static java.util.logging.Logger quiet() {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.caduceus.adapters.fabric");
        logger.setLevel(java.util.logging.Level.OFF);
        return logger;
    }

    private static final Duration LONG = Duration.ofHours(1);
    private static final RetryPolicy FAST_RETRY = new RetryPolicy(5, Duration.ZERO, Duration.ZERO, 1.0, 0,
            Duration.ofMinutes(1));

    /** A LedgerWriter whose behaviour per batch is scripted; remembers what it committed. */
    static final class FakeWriter extends UnsupportedLedgerWriter {
        final List<List<LedgerEntry>> attempts = new CopyOnWriteArrayList<>();
        final Map<RecordId, Integer> committed = new ConcurrentHashMap<>();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        final AtomicLong block = new AtomicLong();
        volatile Function<List<LedgerEntry>, LedgerException> behaviour = batch -> null;

        @Override
        public CommitResult putEntries(List<LedgerEntry> batch) {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            try {
                attempts.add(List.copyOf(batch));
                LedgerException failure = behaviour.apply(batch);
                if (failure != null) {
                    throw failure;
                }
                for (LedgerEntry e : batch) {
                    committed.merge(e.recordId(), 1, Integer::sum);
                }
                return new CommitResult("tx" + block.get(), block.incrementAndGet(), "VALID", batch.size(),
                        "0".repeat(64));
            } finally {
                concurrent.decrementAndGet();
            }
        }
    }

    private final FakeWriter writer = new FakeWriter();
    private final List<DeadLetterSink.Entry> deadLettered = new CopyOnWriteArrayList<>();
    private final List<LedgerException> deadLetterReasons = new CopyOnWriteArrayList<>();
    private final Map<RecordId, Outcome> outcomes = new ConcurrentHashMap<>();
    private final AtomicInteger doubleOutcomes = new AtomicInteger();
    private LedgerBatcher batcher;

    private LedgerBatcher batcher(int size, Duration delay, int inFlight, RetryPolicy retry) {
        return batcher(new Config(size, delay, inFlight, retry));
    }

    private LedgerBatcher batcher(Config config) {
        batcher = new LedgerBatcher(writer, config, (entries, reason) -> {
            deadLettered.addAll(entries);
            deadLetterReasons.add(reason);
        });
        return batcher;
    }

    @AfterEach
    void close() {
        if (batcher != null) {
            batcher.close(Duration.ofSeconds(5));
        }
    }

    private void accept(long i, String partition, long offset) throws InterruptedException {
        LedgerEntry e = entry(i);
        batcher.accept(e, new Position(partition, offset), outcome -> {
            if (outcomes.putIfAbsent(e.recordId(), outcome) != null) {
                doubleOutcomes.incrementAndGet();
            }
        });
    }

    private static List<Integer> sizes(List<List<LedgerEntry>> batches) {
        return batches.stream().map(List::size).toList();
    }

    @Test
    void cutsABatchWhenItIsFull() throws Exception {
        batcher(3, LONG, 2, RetryPolicy.none());
        for (int i = 0; i < 7; i++) {
            accept(i, "p", i);
        }
        await().until(() -> writer.attempts.size() == 2);
        assertThat(sizes(writer.attempts)).containsExactly(3, 3);
        assertThat(batcher.flush(Duration.ofSeconds(5))).isTrue();
        assertThat(sizes(writer.attempts)).containsExactly(3, 3, 1);
        assertThat(batcher.committablePositions()).containsEntry("p", 6L);
        assertThat(outcomes).hasSize(7).allSatisfy((id, o) -> assertThat(o).isInstanceOf(Outcome.Committed.class));
        LedgerBatcher.Metrics m = batcher.metrics();
        assertThat(m.entriesCommitted()).isEqualTo(7);
        assertThat(m.batchesCommitted()).isEqualTo(3);
        assertThat(m.lastCommitBlock()).isEqualTo(3);
        assertThat(m.inFlightBatches()).isZero();
        assertThat(m.pendingEntries()).isZero();
    }

    @Test
    void cutsABatchWhenItsFirstEntryHasWaitedMaxBatchDelay() throws Exception {
        batcher(100, Duration.ofMillis(80), 2, RetryPolicy.none());
        long start = System.nanoTime();
        accept(1, "p", 1);
        accept(2, "p", 2);
        await().atMost(5, TimeUnit.SECONDS).until(() -> writer.attempts.size() == 1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(80));
        assertThat(sizes(writer.attempts)).containsExactly(2);
        // The delay counts from the next batch's own first entry, not from the batcher's start.
        accept(3, "p", 3);
        await().atMost(5, TimeUnit.SECONDS).until(() -> writer.attempts.size() == 2);
        await().until(() -> batcher.committablePositions().equals(Map.of("p", 3L)));
    }

    @Test
    void keepsAtMostMaxInFlightBatchesAndPushesBackWhenFull() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        writer.behaviour = batch -> {
            awaitQuietly(release);
            return null;
        };
        batcher(1, LONG, 2, RetryPolicy.none());
        accept(1, "p", 1);
        accept(2, "p", 2);
        accept(3, "p", 3); // open batch, full, no slot to cut it into
        await().until(() -> writer.concurrent.get() == 2);
        assertThat(batcher.metrics().inFlightBatches()).isEqualTo(2);
        LedgerEntry fourth = entry(4);
        assertThat(batcher.offer(fourth, new Position("p", 4), o -> { }, Duration.ofMillis(100))).isFalse();
        assertThat(writer.attempts).hasSize(2);

        release.countDown();
        assertThat(batcher.offer(fourth, new Position("p", 4), o -> { }, Duration.ofSeconds(5))).isTrue();
        assertThat(batcher.flush(Duration.ofSeconds(5))).isTrue();
        assertThat(writer.maxConcurrent.get()).isEqualTo(2);
        assertThat(batcher.committablePositions()).containsEntry("p", 4L);
    }

    @Test
    void anEarlierBatchStillInFlightHoldsBackLaterPositions() throws Exception {
        Map<RecordId, CountDownLatch> gates = new ConcurrentHashMap<>();
        for (int i = 10; i <= 12; i++) {
            gates.put(entry(i).recordId(), new CountDownLatch(1));
        }
        gates.put(entry(20).recordId(), new CountDownLatch(1));
        writer.behaviour = batch -> {
            awaitQuietly(gates.get(batch.get(0).recordId()));
            return null;
        };
        batcher(1, LONG, 4, RetryPolicy.none());
        accept(10, "a", 100);
        accept(11, "a", 101);
        accept(12, "a", 105); // gaps in offsets are fine
        accept(20, "b", 7);
        await().until(() -> writer.concurrent.get() == 4);

        gates.get(entry(12).recordId()).countDown();
        gates.get(entry(20).recordId()).countDown();
        await().until(() -> batcher.committablePositions().equals(Map.of("b", 7L)));
        assertThat(outcomes).hasSize(2);

        gates.get(entry(10).recordId()).countDown();
        await().until(() -> batcher.committablePositions().equals(Map.of("a", 100L, "b", 7L)));

        gates.get(entry(11).recordId()).countDown();
        await().until(() -> batcher.committablePositions().equals(Map.of("a", 105L, "b", 7L)));
    }

    @Test
    void retriesRetriableFailuresThenCommits() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        writer.behaviour = batch -> calls.incrementAndGet() <= 2 ? new LedgerException(Kind.MVCC_CONFLICT, "mvcc")
                : null;
        batcher(10, LONG, 1, FAST_RETRY);
        accept(1, "p", 1);
        assertThat(batcher.flush(Duration.ofSeconds(5))).isTrue();
        assertThat(writer.attempts).hasSize(3);
        assertThat(outcomes.get(entry(1).recordId())).isInstanceOf(Outcome.Committed.class);
        assertThat(batcher.metrics().retries()).isEqualTo(2);
        assertThat(batcher.metrics().batchesCommitted()).isEqualTo(1);
        assertThat(deadLettered).isEmpty();
    }

    @Test
    void aPermanentFailureGoesToTheDeadLetterSinkAndCountsAsDone() throws Exception {
        LedgerException conflict = new LedgerException(Kind.CONFLICT, "conflict");
        writer.behaviour = batch -> batch.get(0).recordId().equals(entry(1).recordId()) ? conflict : null;
        batcher(new Config(2, LONG, 2, FAST_RETRY, false));
        accept(1, "p", 1);
        accept(2, "p", 2);
        accept(3, "p", 3);
        accept(4, "p", 4);
        assertThat(batcher.flush(Duration.ofSeconds(5))).isTrue();
        assertThat(writer.attempts).hasSize(2); // no retry of a permanent failure
        assertThat(deadLettered).extracting(e -> e.entry().recordId())
                .containsExactly(entry(1).recordId(), entry(2).recordId());
        assertThat(deadLettered).extracting(DeadLetterSink.Entry::position)
                .containsExactly(new Position("p", 1), new Position("p", 2));
        assertThat(deadLetterReasons).containsExactly(conflict);
        assertThat(outcomes.get(entry(1).recordId())).isEqualTo(new Outcome.DeadLettered(conflict));
        assertThat(outcomes.get(entry(3).recordId())).isInstanceOf(Outcome.Committed.class);
        assertThat(batcher.committablePositions()).containsEntry("p", 4L);
        assertThat(batcher.metrics().batchesDeadLettered()).isEqualTo(1);
        assertThat(batcher.metrics().entriesDeadLettered()).isEqualTo(2);
        assertThat(batcher.failure()).isEmpty();
    }

    @Test
    void aBatchRefusedForOneEntryIsSplitUntilOnlyThatEntryIsDeadLettered() throws Exception {
        RecordId bad = entry(3).recordId();
        LedgerException conflict = new LedgerException(Kind.CONFLICT, "conflict");
        writer.behaviour = batch -> batch.stream().anyMatch(e -> e.recordId().equals(bad)) ? conflict : null;
        batcher(8, LONG, 1, FAST_RETRY);
        for (int i = 1; i <= 8; i++) {
            accept(i, "p", i);
        }
        assertThat(batcher.flush(Duration.ofSeconds(5))).isTrue();
        // [1..8] refused; [1..4] refused, [5..8] ok; [1,2] ok, [3,4] refused; [3] refused, [4] ok.
        assertThat(sizes(writer.attempts)).containsExactly(8, 4, 2, 2, 1, 1, 4);
        assertThat(deadLettered).extracting(e -> e.entry().recordId()).containsExactly(bad);
        assertThat(outcomes).hasSize(8);
        assertThat(outcomes.get(bad)).isEqualTo(new Outcome.DeadLettered(conflict));
        assertThat(outcomes.values().stream().filter(o -> o instanceof Outcome.Committed)).hasSize(7);
        assertThat(writer.committed).hasSize(7);
        assertThat(batcher.committablePositions()).containsEntry("p", 8L);
        LedgerBatcher.Metrics m = batcher.metrics();
        assertThat(m.splits()).isEqualTo(3);
        assertThat(m.entriesCommitted()).isEqualTo(7);
        assertThat(m.entriesDeadLettered()).isEqualTo(1);
        assertThat(m.batchesCommitted()).isEqualTo(3);
    }

    @Test
    void aRefusalNoEntryCausedIsNotSplit() throws Exception {
        LedgerException forbidden = new LedgerException(Kind.FORBIDDEN, "role missing");
        writer.behaviour = batch -> forbidden;
        batcher(4, LONG, 1, FAST_RETRY);
        for (int i = 1; i <= 4; i++) {
            accept(i, "p", i);
        }
        assertThat(batcher.flush(Duration.ofSeconds(5))).isTrue();
        assertThat(sizes(writer.attempts)).containsExactly(4);
        assertThat(deadLettered).hasSize(4);
        assertThat(batcher.metrics().splits()).isZero();
    }

    @Test
    void aHalfThatExhaustsItsRetriesStopsTheBatcherAndTheOtherHalfIsNotSent() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        writer.behaviour = batch -> calls.incrementAndGet() == 1 ? new LedgerException(Kind.INVALID_ARGUMENT, "bad")
                : new LedgerException(Kind.UNAVAILABLE, "down");
        batcher(4, LONG, 1, new RetryPolicy(2, Duration.ZERO, Duration.ZERO, 1.0, 0, Duration.ofMinutes(1)));
        for (int i = 1; i <= 4; i++) {
            accept(i, "p", i);
        }
        await().until(() -> outcomes.size() == 4);
        assertThat(sizes(writer.attempts)).containsExactly(4, 2, 2);
        assertThat(outcomes.values()).allSatisfy(o -> assertThat(o).isInstanceOf(Outcome.Failed.class));
        assertThat(batcher.failure()).get().extracting(LedgerException::kind).isEqualTo(Kind.UNAVAILABLE);
        assertThat(batcher.committablePositions()).isEmpty();
        assertThat(batcher.metrics().inFlightBatches()).isZero();
    }

    @Test
    void exhaustedRetriesStopTheBatcherWithoutLosingTheBatch() throws Exception {
        LedgerException down = new LedgerException(Kind.UNAVAILABLE, "orderer down");
        writer.behaviour = batch -> batch.get(0).recordId().equals(entry(2).recordId()) ? down : null;
        batcher(1, LONG, 1, new RetryPolicy(3, Duration.ZERO, Duration.ZERO, 1.0, 0, Duration.ofMinutes(1)));
        accept(1, "p", 1);
        accept(2, "p", 2);
        await().until(() -> outcomes.size() == 2);
        assertThat(batcher.failure()).contains(down);
        assertThat(writer.attempts).hasSize(4); // 1 for entry 1, 3 for entry 2
        assertThat(batcher.committablePositions()).containsEntry("p", 1L); // 2 is never reported
        assertThat(outcomes.get(entry(2).recordId())).isEqualTo(new Outcome.Failed(down));
        assertThat(deadLettered).isEmpty();
        assertThatThrownBy(() -> accept(3, "p", 3)).isSameAs(down);
        assertThat(batcher.flush(Duration.ofSeconds(1))).isFalse();
    }

    @Test
    void entriesWaitingInTheOpenBatchFailWhenTheBatcherStops() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        writer.behaviour = batch -> {
            awaitQuietly(release);
            return new LedgerException(Kind.TIMEOUT, "deadline");
        };
        batcher(1, LONG, 1, RetryPolicy.none());
        accept(1, "p", 1);
        accept(2, "p", 2); // open, waiting for the only slot
        release.countDown();
        await().until(() -> outcomes.size() == 2);
        assertThat(outcomes.values()).allSatisfy(o -> assertThat(o).isInstanceOf(Outcome.Failed.class));
        assertThat(writer.attempts).hasSize(1);
        assertThat(batcher.committablePositions()).isEmpty();
    }

    @Test
    void aFailingDeadLetterSinkStopsTheBatcherRatherThanDropTheBatch() throws Exception {
        writer.behaviour = batch -> new LedgerException(Kind.INVALID_ARGUMENT, "bad");
        batcher = new LedgerBatcher(writer, new Config(1, LONG, 1, RetryPolicy.none()), (entries, reason) -> {
            throw new IllegalStateException("dead-letter topic unavailable");
        });
        accept(1, "p", 1);
        await().until(() -> outcomes.size() == 1);
        assertThat(batcher.failure().get().getCause()).isInstanceOf(IllegalStateException.class);
        assertThat(batcher.committablePositions()).isEmpty();
        assertThat(outcomes.get(entry(1).recordId())).isInstanceOf(Outcome.Failed.class);
    }

    @Test
    void anUnexpectedWriterExceptionStopsTheBatcher() throws Exception {
        writer.behaviour = batch -> {
            throw new IllegalStateException("bug");
        };
        batcher(1, LONG, 1, FAST_RETRY);
        accept(1, "p", 1);
        await().until(() -> batcher.failure().isPresent());
        assertThat(batcher.failure().get().kind()).isEqualTo(Kind.UNKNOWN);
        assertThat(writer.attempts).hasSize(1);
    }

    @Test
    void positionsOfAPartitionMustIncrease() throws Exception {
        batcher(10, LONG, 1, RetryPolicy.none());
        accept(1, "p", 5);
        assertThatThrownBy(() -> accept(2, "p", 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> accept(2, "p", 4)).isInstanceOf(IllegalArgumentException.class);
        accept(2, "q", 1);
    }

    @Test
    void closeSubmitsWhatIsOpenAndThenRefuses() throws Exception {
        batcher(10, LONG, 1, RetryPolicy.none());
        accept(1, "p", 1);
        batcher.close(Duration.ofSeconds(5));
        assertThat(writer.attempts).hasSize(1);
        assertThat(outcomes.get(entry(1).recordId())).isInstanceOf(Outcome.Committed.class);
        assertThatThrownBy(() -> accept(2, "p", 2)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aThrowingCompletionCallbackDoesNotDisturbTheBatcher() throws Exception {
        batcher(1, LONG, 1, RetryPolicy.none());
        batcher.accept(entry(1), new Position("p", 1), o -> {
            throw new IllegalStateException("callback bug");
        });
        assertThat(batcher.flush(Duration.ofSeconds(5))).isTrue();
        assertThat(batcher.committablePositions()).containsEntry("p", 1L);
        assertThat(batcher.failure()).isEmpty();
    }

    @Test
    void configIsValidated() {
        assertThatThrownBy(() -> new Config(0, LONG, 1, RetryPolicy.none())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Config(1001, LONG, 1, RetryPolicy.none()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Config(1, Duration.ZERO, 1, RetryPolicy.none()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Config(1, LONG, 0, RetryPolicy.none()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Config.defaults().maxBatchSize()).isEqualTo(200);
    }

    /**
     * 100k entries from four partitions through four in-flight batches, with random latencies, retriable failures
     * (retried), whole-batch refusals and entries refused for their content (isolated by splitting): every entry
     * ends exactly once, committed or dead-lettered, no refused entry is committed, and every partition's committable
     * position reaches its last offset.
     */
    @Test
    void noEntryIsLostOrDoubledUnderConcurrency() throws Exception {
        int total = 100_000;
        int partitions = 4;
        writer.behaviour = batch -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            if (random.nextInt(4) == 0) {
                sleepQuietly(random.nextInt(2));
            }
            int dice = random.nextInt(100);
            if (dice < 5) {
                return new LedgerException(Kind.UNAVAILABLE, "flaky");
            }
            if (dice < 6) {
                return new LedgerException(Kind.ENDORSEMENT_POLICY_FAILURE, "refused as a whole");
            }
            if (batch.stream().anyMatch(e -> isBad(e.recordId()))) {
                return new LedgerException(Kind.CONFLICT, "one entry conflicts");
            }
            return null;
        };
        batcher(50, Duration.ofMillis(2), 4,
                new RetryPolicy(20, Duration.ZERO, Duration.ZERO, 1.0, 0, Duration.ofMinutes(1)));
        List<Thread> producers = new ArrayList<>();
        List<Throwable> producerFailures = Collections.synchronizedList(new ArrayList<>());
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            Thread producer = new Thread(() -> {
                try {
                    for (long offset = 0; offset < total / partitions; offset++) {
                        accept(offset * partitions + partition, "t-" + partition, offset);
                    }
                } catch (Throwable t) {
                    producerFailures.add(t);
                }
            });
            producers.add(producer);
            producer.start();
        }
        for (Thread producer : producers) {
            producer.join();
        }
        assertThat(producerFailures).isEmpty();
        assertThat(batcher.flush(Duration.ofSeconds(30))).isTrue();

        assertThat(doubleOutcomes).hasValue(0);
        assertThat(outcomes).hasSize(total);
        long committed = outcomes.values().stream().filter(o -> o instanceof Outcome.Committed).count();
        long dead = outcomes.values().stream().filter(o -> o instanceof Outcome.DeadLettered).count();
        assertThat(committed + dead).isEqualTo(total);
        assertThat(dead).isEqualTo(deadLettered.size()).isPositive();
        assertThat(writer.committed).hasSize((int) committed).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        for (DeadLetterSink.Entry e : deadLettered) {
            assertThat(writer.committed).doesNotContainKey(e.entry().recordId());
        }
        assertThat(writer.committed.keySet()).noneMatch(LedgerBatcherTest::isBad);
        assertThat(deadLettered.stream().filter(e -> isBad(e.entry().recordId()))).hasSize(total / 97 + 1);
        assertThat(batcher.metrics().splits()).isPositive();
        assertThat(writer.maxConcurrent.get()).isLessThanOrEqualTo(4);
        Map<String, Long> expected = new java.util.HashMap<>();
        for (int p = 0; p < partitions; p++) {
            expected.put("t-" + p, (long) (total / partitions - 1));
        }
        assertThat(batcher.committablePositions()).isEqualTo(expected);
        LedgerBatcher.Metrics m = batcher.metrics();
        assertThat(m.entriesCommitted()).isEqualTo(committed);
        assertThat(m.entriesDeadLettered()).isEqualTo(dead);
        assertThat(m.pendingEntries()).isZero();
        assertThat(m.retries()).isPositive();
        assertThat(batcher.failure()).isEmpty();
    }

    /** Entries the chaincode would refuse for their content, wherever they land. */
    private static boolean isBad(RecordId id) {
        return Long.parseLong(id.value().substring(2), 16) % 97 == 0;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
