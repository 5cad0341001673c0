package io.caduceus.edge.fhir;

import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.commitment.HidingCommitments;
import io.caduceus.core.commitment.Salt;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.hash.Digest;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Whether a record read from the vault is the record the ledger committed to: the hiding commitment is recomputed
 * from the vault's salt and canonical bytes and compared with the commitment the ledger holds.
 */
final class LedgerIntegrity {

    enum Status {
        /** The recomputed commitment equals the ledger's. */
        VERIFIED,
        /** The ledger has no commitment for the record yet (the feed has not reached it): neither proven nor refuted. */
        PENDING,
        /** The vault's content is not what the ledger committed to: never served. */
        MISMATCH,
        /** No ledger view in this process (anchoring disabled or unavailable): nothing could be checked. */
        UNAVAILABLE;

        String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Where the ledger's commitments are read; empty when this process has no ledger view. */
    private final Supplier<Optional<Function<RecordId, Optional<Digest>>>> ledger;

    LedgerIntegrity(Supplier<Optional<Function<RecordId, Optional<Digest>>>> ledger) {
        this.ledger = ledger;
    }

    Status check(VaultRecord record) {
        Optional<Function<RecordId, Optional<Digest>>> view = ledger.get();
        if (view.isEmpty()) {
            return Status.UNAVAILABLE;
        }
        Optional<Digest> committed = view.get().apply(new RecordId(record.recordId()));
        if (committed.isEmpty()) {
            return Status.PENDING;
        }
        Digest recomputed = HidingCommitments.commit(Salt.of(record.salt()), record.canonicalBundle());
        return recomputed.equals(committed.get()) ? Status.VERIFIED : Status.MISMATCH;
    }
}
