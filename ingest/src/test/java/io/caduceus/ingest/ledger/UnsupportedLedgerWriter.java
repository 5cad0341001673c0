package io.caduceus.ingest.ledger;

import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.domain.LedgerEntry;
import java.util.List;
import java.util.Optional;

/**
 * A ledger where every call fails as unsupported: a test's stand-in overrides only what its subject may call, so a
 * call it did not expect fails the test instead of answering something made up.
 */
public abstract class UnsupportedLedgerWriter implements LedgerWriter {

    @Override
    public CommitResult putEntries(List<LedgerEntry> batch) {
        throw new UnsupportedOperationException("putEntries");
    }

    @Override
    public CommitResult putAccessEvents(List<String> accessEventsJson) {
        throw new UnsupportedOperationException("putAccessEvents");
    }

    @Override
    public Optional<String> batch(String transactionId) {
        throw new UnsupportedOperationException("batch");
    }

    @Override
    public List<LedgerEntry> committedEntries(String transactionId) {
        throw new UnsupportedOperationException("committedEntries");
    }

    @Override
    public Optional<String> accessBatch(String transactionId) {
        throw new UnsupportedOperationException("accessBatch");
    }

    @Override
    public void putAnchorReceipt(AnchorReceipt receipt) {
        throw new UnsupportedOperationException("putAnchorReceipt");
    }

    @Override
    public Optional<AnchorReceipt> latestAnchorReceipt() {
        throw new UnsupportedOperationException("latestAnchorReceipt");
    }

    @Override
    public long blockHeight() {
        throw new UnsupportedOperationException("blockHeight");
    }
}
