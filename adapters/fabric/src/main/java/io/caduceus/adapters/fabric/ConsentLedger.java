package io.caduceus.adapters.fabric;

import io.caduceus.ingest.ledger.LedgerWriter;
import io.caduceus.ingest.ledger.LedgerException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Patients' consent grants on the private ledger (the RecordRegistry's {@code GrantAccess}, {@code RevokeAccess} and
 * {@code CheckAccess}). A grantee is whoever the deployment names: the middleware uses the FHIR client id of the
 * system a patient allows to read their records. Every call is bounded by the connection's deadlines and fails with a
 * {@link LedgerException}; messages never carry the pseudonym.
 *
 * <p>Kept apart from {@link LedgerWriter}: consent is a separate concern with its own callers (the consent API, the
 * read path), and a fake of three methods is all their tests need.
 */
public interface ConsentLedger {

    /**
     * Submits {@code GrantAccess} and waits until it is committed. Granting what is already in force (same expiry)
     * changes nothing on the ledger, so a retry is harmless.
     *
     * @param expiresAt when the grant ends, or empty for a grant in force until revoked; the chaincode refuses an
     *     instant that is not after the transaction time
     */
    ConsentChange grantAccess(String pseudonym, String grantee, Optional<Instant> expiresAt);

    /**
     * Submits {@code RevokeAccess} and waits until it is committed; revoking a revoked grant changes nothing.
     *
     * @throws LedgerException of {@link LedgerException.Kind#CHAINCODE_REJECTED} with chaincode error
     *     {@code NOT_FOUND} when the patient never granted the grantee anything
     */
    ConsentChange revokeAccess(String pseudonym, String grantee);

    /** Evaluates {@code CheckAccess} at the endorsing peer's transaction time (bounded against its own clock). */
    AccessDecision checkAccess(String pseudonym, String grantee);

    /**
     * A committed grant or revocation and the grant's state after it (the chaincode's answer, which never holds the
     * pseudonym).
     *
     * @param expiresAt null for a grant in force until revoked
     * @param revokedAt null unless revoked
     */
    record ConsentChange(String transactionId, long blockNumber, String grantee, Instant grantedAt, Instant expiresAt,
            Instant revokedAt) {

        public ConsentChange {
            Objects.requireNonNull(transactionId, "transactionId");
            Objects.requireNonNull(grantee, "grantee");
            Objects.requireNonNull(grantedAt, "grantedAt");
        }
    }

    /**
     * The chaincode's answer to {@code CheckAccess}.
     *
     * @param reason {@code GRANTED}, {@code NO_GRANT}, {@code NOT_YET_GRANTED}, {@code REVOKED} or {@code EXPIRED}
     */
    record AccessDecision(boolean allowed, String reason) {

        public static final String GRANTED = "GRANTED";
        public static final String NO_GRANT = "NO_GRANT";

        public AccessDecision {
            Objects.requireNonNull(reason, "reason");
            if (allowed != GRANTED.equals(reason)) {
                throw new IllegalArgumentException("access is allowed exactly when the reason is GRANTED");
            }
        }

        public static AccessDecision granted() {
            return new AccessDecision(true, GRANTED);
        }

        public static AccessDecision refused(String reason) {
            return new AccessDecision(false, reason);
        }
    }
}
