package io.caduceus.bridge.anchoring;

import io.caduceus.core.domain.LedgerEntry;
import java.util.List;
import java.util.Optional;

/**
 * What the bridge asks of the private ledger about one transaction, to show where a record's entry was committed
 * (GET /api/ledger/{recordId}). Implemented by the Fabric adapter; absent when the log follows the Kafka topic.
 */
public interface LedgerLookup {

    /** The channel the transactions are on. */
    String channel();

    /** The ledger entries a committed transaction holds; empty when it is not a committed entries transaction. */
    List<LedgerEntry> committedEntries(String transactionId);

    /** The batch a transaction recorded (canonical JSON), or empty. */
    Optional<String> batch(String transactionId);
}
