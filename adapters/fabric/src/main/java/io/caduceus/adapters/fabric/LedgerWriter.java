package io.caduceus.adapters.fabric;

import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordId;
import java.util.List;
import java.util.Optional;

/**
 * The private ledger as the rest of Caduceus sees it. Every call is bounded by a deadline and fails with a
 * {@link LedgerException} whose {@link LedgerException#kind() kind} tells a caller whether retrying can help.
 *
 * <p>Writes are idempotent on the chaincode side (an entry already stored with the same content counts as a duplicate),
 * so a caller may resubmit a batch after any failure, including a commit-status timeout where the first attempt may in
 * fact have committed.
 */
public interface LedgerWriter {

    /**
     * Submits {@code PutEntries} and waits until the transaction is committed in a block.
     *
     * @param batch 1 to {@value #MAX_BATCH_SIZE} entries
     * @throws LedgerException if endorsement, ordering or validation fails, or a deadline passes
     */
    CommitResult putEntries(List<LedgerEntry> batch);

    /** The entry stored under a record id, or empty when the ledger holds none. */
    Optional<LedgerEntry> getEntry(RecordId recordId);

    /** Stores an anchor receipt; storing the same receipt again is a no-op on the chaincode side. */
    void putAnchorReceipt(AnchorReceipt receipt);

    /** The latest anchor receipt stored, or empty when none has been stored yet. */
    Optional<AnchorReceipt> latestAnchorReceipt();

    /** The channel's block height (number of the next block to be cut), from the query system chaincode. */
    long blockHeight();

    /** The chaincode refuses larger batches, bounding one transaction's read/write set. */
    int MAX_BATCH_SIZE = 1000;
}
