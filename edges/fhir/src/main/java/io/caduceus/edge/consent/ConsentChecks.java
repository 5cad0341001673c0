package io.caduceus.edge.consent;

import io.caduceus.adapters.fabric.ConsentLedger;
import io.caduceus.adapters.fabric.ConsentLedger.AccessDecision;
import io.caduceus.ingest.ledger.LedgerException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code CheckAccess} answers for the read path, kept briefly so that reads do not each wait on a peer. Both "granted"
 * and "not granted" are kept, for {@link ConsentSettings#cacheTime()}: a grant, revocation or expiry decided
 * elsewhere takes effect here within that time; one made through this middleware's consent API is forgotten at once.
 * A failed check is never kept, so the next read asks again. Bounded: the least recently used answers go first.
 */
public final class ConsentChecks {

    private static final Logger LOG = LoggerFactory.getLogger(ConsentChecks.class);

    /**
     * What the chaincode accepts as a grantee (its MSP id form). A client id outside it can hold no grant, so it is
     * refused here without asking the ledger.
     */
    public static final Pattern GRANTEE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private record Key(String pseudonym, String grantee) {
    }

    private record Kept(AccessDecision decision, long keptAtNanos) {
    }

    private final Supplier<Optional<ConsentLedger>> ledger;
    private final long cacheNanos;
    private final LongSupplier nanoTime;
    private final Map<Key, Kept> kept;

    /** @param ledger the ledger, looked up per check: it starts after the read beans, and is absent without Fabric */
    public ConsentChecks(Supplier<Optional<ConsentLedger>> ledger, ConsentSettings settings) {
        this(ledger, settings, System::nanoTime);
    }

    ConsentChecks(Supplier<Optional<ConsentLedger>> ledger, ConsentSettings settings, LongSupplier nanoTime) {
        this.ledger = ledger;
        this.cacheNanos = settings.cacheTime().toNanos();
        this.nanoTime = nanoTime;
        int size = settings.cacheSize();
        this.kept = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Kept> eldest) {
                return size() > size;
            }
        };
    }

    /** The ledger, or why there is none (for the consent API). */
    Optional<ConsentLedger> ledger() {
        return ledger.get();
    }

    /**
     * Whether {@code grantee} may read the records of the patient {@code pseudonym} now.
     *
     * @throws ConsentUnavailable when no ledger is configured or it did not answer (deadline
     *     {@code fabric.deadline.evaluate.ms})
     */
    public AccessDecision check(String pseudonym, String grantee) {
        if (grantee == null || !GRANTEE.matcher(grantee).matches()) {
            return AccessDecision.refused(AccessDecision.NO_GRANT);
        }
        Key key = new Key(pseudonym, grantee);
        long now = nanoTime.getAsLong();
        synchronized (kept) {
            Kept answer = kept.get(key);
            if (answer != null && now - answer.keptAtNanos() < cacheNanos) {
                return answer.decision();
            }
        }
        ConsentLedger consent = ledger.get().orElseThrow(() -> new ConsentUnavailable(
                "consent cannot be checked: no private ledger is configured", null));
        AccessDecision decision;
        try {
            decision = consent.checkAccess(pseudonym, grantee);
        } catch (LedgerException e) {
            LOG.warn("consent check failed ({}); the read is refused", e.kind());
            throw new ConsentUnavailable("consent cannot be checked: the private ledger did not answer (" + e.kind()
                    + ")", e);
        }
        if (cacheNanos > 0) {
            synchronized (kept) {
                kept.put(key, new Kept(decision, now));
            }
        }
        return decision;
    }

    /** Drops the kept answer for a pair whose grant this middleware just changed. */
    public void forget(String pseudonym, String grantee) {
        synchronized (kept) {
            kept.remove(new Key(pseudonym, grantee));
        }
    }

    int size() {
        synchronized (kept) {
            return kept.size();
        }
    }
}
