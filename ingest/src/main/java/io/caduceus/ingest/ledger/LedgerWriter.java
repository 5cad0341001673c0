package io.caduceus.ingest.ledger;

import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.domain.LedgerEntry;
import java.util.List;
import java.util.Optional;

/**
 * The private ledger as the rest of Caduceus sees it. Every call is bounded by a deadline and fails with a
 * {@link LedgerException} whose {@link LedgerException#kind() kind} tells a caller whether retrying can help.
 *
 * <p>A caller may resubmit a batch after any failure, including a commit-status timeout where the first attempt may in
 * fact have committed: the ledger then holds the entries twice, and the bridge, which logs the committed entries in
 * ledger order, keeps the first of each record id and ignores identical repeats.
 */
public interface LedgerWriter {

    /**
     * Submits {@code PutEntries} and waits until the transaction is committed in a block.
     *
     * @param batch 1 to {@value #MAX_BATCH_SIZE} entries
     * @throws LedgerException if endorsement, ordering or validation fails, or a deadline passes
     */
    CommitResult putEntries(List<LedgerEntry> batch);

    /**
     * Submits {@code PutAccessEvents}: access events as the middleware writes them to its access-events topic (JSON
     * objects of ids, codes and hashes), recorded together, and waits until the transaction is committed.
     *
     * @param accessEventsJson 1 to {@value #MAX_BATCH_SIZE} JSON objects
     * @throws LedgerException if endorsement, ordering or validation fails, or a deadline passes
     */
    CommitResult putAccessEvents(List<String> accessEventsJson);

    /**
     * The batch a {@code PutEntries} transaction recorded ({@code {"batchDigest","count","submitter"}}, canonical
     * JSON), or empty when that transaction recorded none.
     */
    Optional<String> batch(String transactionId);

    /**
     * The ledger entries a VALID {@code PutEntries} transaction committed, read back from the transaction itself (its
     * chaincode event, endorsed by both organisations); empty when the transaction is not a valid {@code PutEntries}.
     */
    List<LedgerEntry> committedEntries(String transactionId);

    /** What a {@code PutAccessEvents} transaction recorded (as {@link #batch}), or empty when it recorded none. */
    Optional<String> accessBatch(String transactionId);

    /** Stores an anchor receipt; storing the same receipt again is a no-op on the chaincode side. */
    void putAnchorReceipt(AnchorReceipt receipt);

    /** The latest anchor receipt stored, or empty when none has been stored yet. */
    Optional<AnchorReceipt> latestAnchorReceipt();

    /** The channel's block height (number of the next block to be cut), from the query system chaincode. */
    long blockHeight();

    /** The chaincode refuses larger batches, bounding one transaction's read/write set. */
    int MAX_BATCH_SIZE = 1000;
}
