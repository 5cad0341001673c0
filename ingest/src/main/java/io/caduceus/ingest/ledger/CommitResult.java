package io.caduceus.ingest.ledger;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a committed {@code PutEntries} transaction recorded.
 *
 * @param transactionId the Fabric transaction id
 * @param blockNumber the block the transaction was committed in
 * @param validationCode the peer's validation code name; {@code VALID} for every result returned (anything else is a
 *     {@link LedgerException}), kept for logs and metrics
 * @param entries how many distinct entries the batch held (identical repeats within one batch collapse)
 * @param batchDigest SHA-256 (hex) of the canonical JSON array of those entries, sorted by record id: what the
 *     chaincode stored under the transaction id and emitted with the entries
 */
public record CommitResult(String transactionId, long blockNumber, String validationCode, int entries,
        String batchDigest) {

    private static final Pattern HEX_64 = Pattern.compile("[0-9a-f]{64}");

    public CommitResult {
        Objects.requireNonNull(transactionId, "transactionId");
        Objects.requireNonNull(validationCode, "validationCode");
        if (blockNumber < 0 || entries < 1) {
            throw new IllegalArgumentException("block number must not be negative and a batch holds an entry");
        }
        if (batchDigest == null || !HEX_64.matcher(batchDigest).matches()) {
            throw new IllegalArgumentException("batch digest must be 64 lowercase hex digits");
        }
    }
}
