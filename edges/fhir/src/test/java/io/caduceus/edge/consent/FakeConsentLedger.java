package io.caduceus.edge.consent;

import io.caduceus.adapters.fabric.ConsentLedger;
import io.caduceus.ingest.ledger.LedgerException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The chaincode's grant rules over a map, on a clock the test moves; {@link #down} makes every call fail. */
public final class FakeConsentLedger implements ConsentLedger {

    private record Grant(Instant grantedAt, Instant expiresAt, Instant revokedAt) {
    }

    private final Map<String, Grant> grants = new ConcurrentHashMap<>();
    private final AtomicInteger transactions = new AtomicInteger();
    public final AtomicInteger checks = new AtomicInteger();
    public volatile Instant now = Instant.parse("2030-01-01T00:00:00Z");
    public volatile LedgerException down;

    private static String key(String pseudonym, String grantee) {
        return pseudonym + "|" + grantee;
    }

    private void failIfDown() {
        if (down != null) {
            throw down;
        }
    }

    @Override
    public ConsentChange grantAccess(String pseudonym, String grantee, Optional<Instant> expiresAt) {
        failIfDown();
        if (expiresAt.isPresent() && !expiresAt.get().isAfter(now)) {
            throw LedgerException.chaincodeRefusal(LedgerException.Kind.INVALID_ARGUMENT,
                    "expiresAt must be after the transaction time", "tx-bad", "INVALID_ARGUMENT");
        }
        Grant grant = new Grant(now, expiresAt.orElse(null), null);
        grants.put(key(pseudonym, grantee), grant);
        return change(grantee, grant);
    }

    @Override
    public ConsentChange revokeAccess(String pseudonym, String grantee) {
        failIfDown();
        Grant grant = grants.get(key(pseudonym, grantee));
        if (grant == null) {
            throw LedgerException.chaincodeRefusal(LedgerException.Kind.CHAINCODE_REJECTED,
                    "no grant for this patient and grantee", "tx-none", "NOT_FOUND");
        }
        Grant revoked = grant.revokedAt() != null ? grant : new Grant(grant.grantedAt(), grant.expiresAt(), now);
        grants.put(key(pseudonym, grantee), revoked);
        return change(grantee, revoked);
    }

    @Override
    public AccessDecision checkAccess(String pseudonym, String grantee) {
        checks.incrementAndGet();
        failIfDown();
        Grant grant = grants.get(key(pseudonym, grantee));
        if (grant == null) {
            return AccessDecision.refused("NO_GRANT");
        }
        if (grant.revokedAt() != null && !now.isBefore(grant.revokedAt())) {
            return AccessDecision.refused("REVOKED");
        }
        if (grant.expiresAt() != null && !now.isBefore(grant.expiresAt())) {
            return AccessDecision.refused("EXPIRED");
        }
        return AccessDecision.granted();
    }

    private ConsentChange change(String grantee, Grant grant) {
        int n = transactions.incrementAndGet();
        return new ConsentChange("tx" + n, 100 + n, grantee, grant.grantedAt(), grant.expiresAt(), grant.revokedAt());
    }

    public static LedgerException unavailable() {
        return new LedgerException(LedgerException.Kind.UNAVAILABLE, "CheckAccess failed: gRPC UNAVAILABLE");
    }
}
