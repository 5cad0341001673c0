package io.caduceus.ingest.ledger;

import io.caduceus.ingest.ledger.LedgerBatcher.Item;
import io.caduceus.ingest.ledger.LedgerBatcher.Outcome;
import io.caduceus.core.domain.LedgerEntry;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What happens to one cut batch, on a worker thread of the {@link LedgerBatcher}: submitted with retries, split when
 * the chaincode refuses it for an entry's content, dead-lettered when refused for good; the outcome is settled through
 * the batcher. Keeps the counters of {@link LedgerBatcher.Metrics}.
 */
final class BatchSubmission {

    // Under the batcher's name, as before this was split out of it, so that logging settings still apply.
    private static final System.Logger LOG = System.getLogger(LedgerBatcher.class.getName());

    /** The batcher's side: settling entries and its failed state. */
    interface Settlement {
        /** The entries are done: tell their callers and mark their positions done. */
        void finish(List<Item> batch, Outcome outcome);

        /** The batcher fails: the entries are told, their positions never become committable. */
        void fail(List<Item> batch, LedgerException reason);

        Optional<LedgerException> failure();
    }

    private final LedgerWriter writer;
    private final LedgerBatcher.Config config;
    private final DeadLetterSink deadLetters;
    private final Settlement settlement;

    private final AtomicLong entriesCommitted = new AtomicLong();
    private final AtomicLong batchesCommitted = new AtomicLong();
    private final AtomicLong batchesDeadLettered = new AtomicLong();
    private final AtomicLong entriesDeadLettered = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong splits = new AtomicLong();
    private final AtomicLong lastCommitBlock = new AtomicLong(-1);

    BatchSubmission(LedgerWriter writer, LedgerBatcher.Config config, DeadLetterSink deadLetters, Settlement settlement) {
        this.writer = writer;
        this.config = config;
        this.deadLetters = deadLetters;
        this.settlement = settlement;
    }

    /**
     * Submits a batch (with retries) and settles every entry in it. A batch refused for something one of its entries
     * did is split in halves and each half submitted again, so that one bad entry does not take its good neighbours to
     * the dead letter.
     *
     * @return false if the batcher failed while processing this batch
     */
    boolean process(List<Item> batch) {
        List<LedgerEntry> entries = new ArrayList<>(batch.size());
        for (Item item : batch) {
            entries.add(item.entry());
        }
        CommitResult result;
        try {
            result = config.retryPolicy().call(() -> writer.putEntries(entries), (attempt, backoff, e) -> {
                retries.incrementAndGet();
                LOG.log(Level.WARNING, "ledger batch of {0} entries failed (attempt {1}), retrying in {2}: {3}",
                        batch.size(), attempt, backoff, e.getMessage());
            });
        } catch (LedgerException e) {
            if (e.isRetriable()) {
                settlement.fail(batch, e);
                return false;
            }
            if (config.isolateRefusedEntries() && batch.size() > 1 && refersToEntries(e.kind())) {
                splits.incrementAndGet();
                List<Item> left = batch.subList(0, batch.size() / 2);
                List<Item> right = batch.subList(batch.size() / 2, batch.size());
                if (!process(left)) {
                    LedgerBatcher.notifyAll(right, new Outcome.Failed(settlement.failure().orElse(e)));
                    return false;
                }
                return process(right);
            }
            return deadLetter(batch, e);
        } catch (RuntimeException e) {
            settlement.fail(batch, new LedgerException(LedgerException.Kind.UNKNOWN,
                    "submitting a ledger batch failed unexpectedly: " + e.getClass().getSimpleName(), e));
            return false;
        }
        entriesCommitted.addAndGet(batch.size());
        batchesCommitted.incrementAndGet();
        lastCommitBlock.accumulateAndGet(result.blockNumber(), Math::max);
        settlement.finish(batch, new Outcome.Committed(result));
        return true;
    }

    /**
     * Refusals that can be caused by a single entry's content. A policy, permission or configuration refusal would
     * refuse every half just the same.
     */
    private static boolean refersToEntries(LedgerException.Kind kind) {
        return kind == LedgerException.Kind.CONFLICT || kind == LedgerException.Kind.INVALID_ARGUMENT
                || kind == LedgerException.Kind.CHAINCODE_REJECTED;
    }

    private boolean deadLetter(List<Item> batch, LedgerException reason) {
        List<DeadLetterSink.Entry> refused = new ArrayList<>(batch.size());
        for (Item item : batch) {
            refused.add(new DeadLetterSink.Entry(item.entry(), item.position()));
        }
        try {
            deadLetters.deadLetter(List.copyOf(refused), reason);
        } catch (RuntimeException sinkFailure) {
            LedgerException failed = new LedgerException(LedgerException.Kind.UNKNOWN,
                    "the dead-letter sink refused a batch of " + batch.size() + " entries (after " + reason.kind()
                            + ")", sinkFailure);
            settlement.fail(batch, failed);
            return false;
        }
        LOG.log(Level.ERROR, "ledger batch of {0} entries dead-lettered: {1}", batch.size(), reason.getMessage());
        batchesDeadLettered.incrementAndGet();
        entriesDeadLettered.addAndGet(batch.size());
        settlement.finish(batch, new Outcome.DeadLettered(reason));
        return true;
    }

    LedgerBatcher.Metrics metrics(int inFlightBatches, long pendingEntries) {
        return new LedgerBatcher.Metrics(entriesCommitted.get(), batchesCommitted.get(), batchesDeadLettered.get(),
                entriesDeadLettered.get(), retries.get(), splits.get(), inFlightBatches, pendingEntries,
                lastCommitBlock.get());
    }
}
