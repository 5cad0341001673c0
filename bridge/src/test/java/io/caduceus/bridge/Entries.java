package io.caduceus.bridge;

import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.hash.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Synthetic ledger entries: no patient, commitments derived from a number so tests can rebuild them. */
final class Entries {

    private static final SourceSystem SOURCE = new SourceSystem("TESTAPP", "TESTFAC");

    private Entries() {
    }

    static LedgerEntry entry(long n) {
        return entry(n, commitment(n));
    }

    static LedgerEntry entry(long n, Digest commitment) {
        return new LedgerEntry(recordId(n), commitment, "ADT^A01", SOURCE, Instant.ofEpochSecond(1_700_000_000L + n),
                Optional.empty());
    }

    static Digest commitment(long n) {
        return Sha256.digest(("commitment-" + n).getBytes(StandardCharsets.UTF_8));
    }

    static RecordId recordId(long n) {
        return new RecordId("r2_" + Sha256.digest(("record-" + n).getBytes(StandardCharsets.UTF_8)).hex().substring(0, 32));
    }

    /** A format 1 id, as records stored before keyed ids have. */
    static RecordId legacyRecordId(long n) {
        return new RecordId("r_" + Sha256.digest(("legacy-record-" + n).getBytes(StandardCharsets.UTF_8)).hex().substring(0, 32));
    }

    /** Entries {@code from} (inclusive) to {@code to} (exclusive). */
    static List<LedgerEntry> range(long from, long to) {
        List<LedgerEntry> list = new ArrayList<>((int) (to - from));
        for (long n = from; n < to; n++) {
            list.add(entry(n));
        }
        return list;
    }
}
