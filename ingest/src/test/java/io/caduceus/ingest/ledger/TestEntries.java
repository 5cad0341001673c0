package io.caduceus.ingest.ledger;

import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.pseudonym.PatientPseudonym;
import java.time.Instant;
import java.util.Optional;

/** Ledger entries for tests of the batcher and of the ledger adapters (shared through this module's test jar). */
public final class TestEntries {

    public static final String PSEUDONYM = "pp1_" + "ab".repeat(32);

    private TestEntries() {
    }

    public static RecordId recordId(long i) {
        return new RecordId("r_" + String.format("%032x", i));
    }

    public static LedgerEntry entry(long i) {
        return new LedgerEntry(recordId(i), Digest.fromHex(String.format("%064x", i + 1)), "ADT^A01",
                new SourceSystem("EPIC", "ST_MARY"), Instant.parse("2025-01-02T03:04:05.678Z"),
                Optional.of(new PatientPseudonym(PSEUDONYM)));
    }
}
