package io.caduceus.ingest.ledger;

import io.caduceus.core.domain.LedgerEntry;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Groups ledger entries into {@code PutEntries} batches, keeps a few batches in flight and tells the caller which
 * source positions (Kafka offsets) are safe to commit.
 *
 * <p>A batch is cut when it holds {@code maxBatchSize} entries or {@code maxBatchDelay} after its first entry arrived,
 * whichever comes first, and only while fewer than {@code maxInFlightBatches} batches are in flight. When the open
 * batch is full and no slot is free, {@link #offer} waits: that is the back-pressure.
 *
 * <p>An entry is <em>done</em> once its batch committed VALID or was handed to the {@link DeadLetterSink}. For each
 * partition, {@link #committablePositions()} reports the highest position such that it and every position accepted
 * before it are done; an older batch still in flight or retrying holds back newer ones. Retriable failures are retried
 * by the {@link RetryPolicy}; once a batch exhausts it, the batcher <em>fails</em>: it accepts nothing more, reports
 * the error from {@link #failure()} and {@link #offer}, and never marks that batch's entries done, so their positions
 * are redelivered after a restart instead of being lost.
 *
 * <p>A batch the chaincode refuses for its content is split and resubmitted half by half until the refused entries
 * are alone (see {@link Config#isolateRefusedEntries()}), so one bad entry does not dead-letter its neighbours.
 *
 * <p>Thread-safe. Callbacks run on the batcher's worker threads and must not block for long.
 */
public final class LedgerBatcher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LedgerBatcher.class.getName());

    /**
     * Where an entry came from. Positions of one partition must be offered in increasing order; gaps are fine (a
     * compacted topic, transaction markers).
     *
     * @param partition an opaque partition key, e.g. {@code caduceus.ledger-entries-3}
     * @param offset the position within the partition, e.g. the Kafka offset
     */
    public record Position(String partition, long offset) {
        public Position {
            Objects.requireNonNull(partition, "partition");
        }
    }

    /** What finally happened to one entry. */
    public sealed interface Outcome {
        /** The entry's batch committed VALID (the entry may have been a duplicate already on the ledger). */
        record Committed(CommitResult result) implements Outcome {
        }

        /** The entry's batch was refused for good and handed to the dead-letter sink. */
        record DeadLettered(LedgerException reason) implements Outcome {
        }

        /** The batcher failed before the entry was done; its position is never reported committable. */
        record Failed(LedgerException reason) implements Outcome {
        }
    }

    /** Told once what happened to an entry. */
    @FunctionalInterface
    public interface Completion {
        void completed(Outcome outcome);
    }

    /**
     * @param maxBatchSize entries per {@code PutEntries} transaction, 1 to {@link LedgerWriter#MAX_BATCH_SIZE}
     * @param maxBatchDelay the longest an entry waits for its batch to fill
     * @param maxInFlightBatches batches submitted concurrently; more than one overlaps endorsement with ordering
     * @param retryPolicy applied to each batch
     * @param isolateRefusedEntries when the chaincode refuses a batch for its content (a conflict, a malformed entry),
     *     split it and resubmit the halves until the refused entries are alone, rather than dead-letter the whole batch
     */
    public record Config(int maxBatchSize, Duration maxBatchDelay, int maxInFlightBatches, RetryPolicy retryPolicy,
            boolean isolateRefusedEntries) {

        /** With {@code isolateRefusedEntries}: only the entries the ledger refuses go to the dead letter. */
        public Config(int maxBatchSize, Duration maxBatchDelay, int maxInFlightBatches, RetryPolicy retryPolicy) {
            this(maxBatchSize, maxBatchDelay, maxInFlightBatches, retryPolicy, true);
        }

        public Config {
            if (maxBatchSize < 1 || maxBatchSize > LedgerWriter.MAX_BATCH_SIZE) {
                throw new IllegalArgumentException("maxBatchSize must be 1 to " + LedgerWriter.MAX_BATCH_SIZE);
            }
            if (maxBatchDelay == null || maxBatchDelay.isNegative() || maxBatchDelay.isZero()) {
                throw new IllegalArgumentException("maxBatchDelay must be positive");
            }
            if (maxInFlightBatches < 1) {
                throw new IllegalArgumentException("maxInFlightBatches must be at least 1");
            }
            Objects.requireNonNull(retryPolicy, "retryPolicy");
        }

        public static Config defaults() {
            return new Config(200, Duration.ofMillis(250), 4, RetryPolicy.defaults());
        }
    }

    /**
     * A snapshot for dashboards; counters only grow. Batches count {@code PutEntries} transactions, so the halves of a
     * split batch count separately; {@code entriesCommitted} counts entries as offered, identical repeats within a
     * batch included.
     */
    public record Metrics(long entriesCommitted, long batchesCommitted, long batchesDeadLettered, long entriesDeadLettered, long retries, long splits,
            int inFlightBatches, long pendingEntries, long lastCommitBlock) {
    }

    /** An accepted entry; its slot's {@code done} is guarded by the batcher lock. */
    record Item(LedgerEntry entry, Position position, Completion completion, CommitPositions.Slot slot) {
    }

    private final Config config;
    private final BatchSubmission submission;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock:
    private List<Item> open = new ArrayList<>();
    private long openSinceNanos;
    private ScheduledFuture<?> openTimer;
    private boolean cutRequested;
    private int inFlight;
    private long pending;
    private boolean closed;
    private LedgerException failure;
    private final CommitPositions positions = new CommitPositions();

    public LedgerBatcher(LedgerWriter writer, Config config, DeadLetterSink deadLetters) {
        this.config = Objects.requireNonNull(config, "config");
        this.submission = new BatchSubmission(Objects.requireNonNull(writer, "writer"), config,
                Objects.requireNonNull(deadLetters, "deadLetters"), new BatchSubmission.Settlement() {
                    @Override
                    public void finish(List<Item> batch, Outcome outcome) {
                        LedgerBatcher.this.finish(batch, outcome);
                    }

                    @Override
                    public void fail(List<Item> batch, LedgerException reason) {
                        LedgerBatcher.this.fail(batch, reason);
                    }

                    @Override
                    public Optional<LedgerException> failure() {
                        return LedgerBatcher.this.failure();
                    }
                });
        this.workers = Executors.newFixedThreadPool(config.maxInFlightBatches(), daemonThreads("ledger-batcher"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("ledger-batcher-timer"));
    }

    /**
     * As {@link #offer} without a time limit.
     *
     * @throws LedgerException if the batcher has failed
     * @throws InterruptedException if interrupted while waiting for room
     */
    public void accept(LedgerEntry entry, Position position, Completion completion) throws InterruptedException {
        offer(entry, position, completion, null);
    }

    /**
     * Adds an entry to the open batch, waiting up to {@code timeout} (null: forever) while the open batch is full and
     * every in-flight slot is taken.
     *
     * @return false if the time ran out, in which case the entry was not accepted
     * @throws LedgerException the batcher's failure, once it has failed
     * @throws IllegalStateException once closed
     * @throws IllegalArgumentException if the position is not after the last one offered for its partition
     */
    public boolean offer(LedgerEntry entry, Position position, Completion completion, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(completion, "completion");
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        lock.lockInterruptibly();
        try {
            positions.checkOrder(position);
            while (true) {
                checkAccepting();
                if (open.size() < config.maxBatchSize()) {
                    break;
                }
                cutIfReady();
                if (open.size() < config.maxBatchSize()) {
                    break;
                }
                if (timeout == null) {
                    changed.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    changed.awaitNanos(left);
                }
            }
            // Again: another producer of the same partition may have got in while we waited.
            positions.checkOrder(position);
            pending++;
            open.add(new Item(entry, position, completion, positions.offered(position)));
            if (open.size() == 1) {
                openSinceNanos = System.nanoTime();
                openTimer = timer.schedule(this::onTimer, config.maxBatchDelay().toNanos(), TimeUnit.NANOSECONDS);
            }
            cutIfReady();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Per partition, the highest position whose entries, and all entries offered before them, are done. */
    public Map<String, Long> committablePositions() {
        lock.lock();
        try {
            return positions.committable();
        } finally {
            lock.unlock();
        }
    }

    /** The failure that stopped the batcher, if it has stopped. */
    public Optional<LedgerException> failure() {
        lock.lock();
        try {
            return Optional.ofNullable(failure);
        } finally {
            lock.unlock();
        }
    }

    public Metrics metrics() {
        int flying;
        long waitingEntries;
        lock.lock();
        try {
            flying = inFlight;
            waitingEntries = pending;
        } finally {
            lock.unlock();
        }
        return submission.metrics(flying, waitingEntries);
    }

    /**
     * Cuts the open batch without waiting for it to fill, then waits until every entry offered so far is done (e.g.
     * before Kafka partitions are revoked).
     *
     * @return true if everything is done, false if time ran out or the batcher failed first
     */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lockInterruptibly();
        try {
            cutRequested = true;
            cutIfReady();
            while (pending > 0 && failure == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return failure == null;
        } finally {
            lock.unlock();
        }
    }

    /** Stops accepting, submits what is open and waits up to 30 seconds for in-flight batches. */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    public void close(Duration timeout) {
        List<Item> abandoned = List.of();
        LedgerException reason = null;
        try {
            try {
                flush(timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lock.lock();
            try {
                closed = true;
                if (!open.isEmpty()) {
                    // Could not be submitted in time: tell the callers; their positions stay uncommitted.
                    reason = new LedgerException(LedgerException.Kind.UNAVAILABLE,
                            "the batcher closed before these entries could be submitted");
                    abandoned = takeOpen();
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            notifyAll(abandoned, new Outcome.Failed(reason));
        } finally {
            timer.shutdownNow();
            workers.shutdownNow();
        }
    }

    // ------------------------------------------------------------------------------------------ batching

    private void onTimer() {
        lock.lock();
        try {
            cutIfReady();
        } finally {
            lock.unlock();
        }
    }

    /** Called with the lock held, whenever one of the cut conditions may have become true. */
    private void cutIfReady() {
        if (open.isEmpty() || failure != null || inFlight >= config.maxInFlightBatches()) {
            return;
        }
        boolean full = open.size() >= config.maxBatchSize();
        boolean due = System.nanoTime() - openSinceNanos >= config.maxBatchDelay().toNanos();
        if (!full && !due && !cutRequested && !closed) {
            return;
        }
        cutRequested = false;
        List<Item> batch = takeOpen();
        inFlight++;
        changed.signalAll();
        workers.execute(() -> run(batch));
    }

    private List<Item> takeOpen() {
        List<Item> batch = open;
        open = new ArrayList<>();
        if (openTimer != null) {
            openTimer.cancel(false);
            openTimer = null;
        }
        return batch;
    }

    private void checkAccepting() {
        if (failure != null) {
            throw failure;
        }
        if (closed) {
            throw new IllegalStateException("the ledger batcher is closed");
        }
    }

    private void run(List<Item> batch) {
        try {
            submission.process(batch);
        } finally {
            lock.lock();
            try {
                inFlight--;
                cutIfReady();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Tells the callers, then marks the entries done and moves each partition's committable position past every done
     * prefix. Callbacks first: once a position is committable (or {@link #flush} returns), its callbacks have run.
     */
    private void finish(List<Item> batch, Outcome outcome) {
        notifyAll(batch, outcome);
        lock.lock();
        try {
            positions.done(batch);
            pending -= batch.size();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void fail(List<Item> batch, LedgerException reason) {
        List<Item> unsent;
        lock.lock();
        try {
            if (failure == null) {
                failure = reason;
                LOG.log(Level.ERROR, "ledger batcher stopped: {0}", reason.getMessage());
            }
            // Never submitted now that the batcher has stopped; their positions stay uncommitted, like the batch's.
            unsent = takeOpen();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        notifyAll(batch, new Outcome.Failed(reason));
        notifyAll(unsent, new Outcome.Failed(reason));
    }

    static void notifyAll(List<Item> items, Outcome outcome) {
        for (Item item : items) {
            try {
                item.completion().completed(outcome);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a ledger entry completion callback threw " + e.getClass().getSimpleName(), e);
            }
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
