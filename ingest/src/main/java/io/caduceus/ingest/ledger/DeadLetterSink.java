package io.caduceus.ingest.ledger;

import io.caduceus.core.domain.LedgerEntry;
import java.util.List;
import java.util.Objects;

/**
 * Where a batch goes that the ledger refused for good (a conflict, a malformed entry, a policy failure), so that it is
 * kept for a person to look at while the stream moves on. Called from a batcher worker thread; if it throws, the
 * batcher stops rather than lose the batch.
 */
@FunctionalInterface
public interface DeadLetterSink {

    void deadLetter(List<Entry> entries, LedgerException reason);

    /** An entry of the refused batch and where it came from (so it can be traced back to its Kafka record). */
    record Entry(LedgerEntry entry, LedgerBatcher.Position position) {
        public Entry {
            Objects.requireNonNull(entry, "entry");
            Objects.requireNonNull(position, "position");
        }
    }
}
