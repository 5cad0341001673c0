package io.caduceus.adapters.fabric;

import io.caduceus.core.domain.RecordId;
import java.util.List;
import java.util.Objects;

/**
 * What a committed {@code PutEntries} transaction did.
 *
 * @param transactionId the Fabric transaction id
 * @param blockNumber the block the transaction was committed in
 * @param validationCode the peer's validation code name; {@code VALID} for every result returned (anything else is a
 *     {@link LedgerException}), kept for logs and metrics
 * @param newlyWritten record ids this transaction stored, sorted
 * @param duplicates entries of the batch that were already on the ledger with identical content
 */
public record CommitResult(String transactionId, long blockNumber, String validationCode, List<RecordId> newlyWritten,
        int duplicates) {

    public CommitResult {
        Objects.requireNonNull(transactionId, "transactionId");
        Objects.requireNonNull(validationCode, "validationCode");
        newlyWritten = List.copyOf(newlyWritten);
        if (blockNumber < 0 || duplicates < 0) {
            throw new IllegalArgumentException("block number and duplicate count must not be negative");
        }
    }
}
