package io.caduceus.ingest.ledger;

import java.util.Objects;
import java.util.Optional;

/**
 * A ledger call that failed, classified so that callers decide without parsing messages. Messages name at most record
 * ids, transaction ids and codes: never entry contents, key material or certificates.
 */
public class LedgerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a call failed. Retriability belongs to the kind: the same kind never means "retry" in one place only. */
    public enum Kind {
        /** A deadline passed; the call may still have taken effect (writes are idempotent, so retrying is safe). */
        TIMEOUT(true),
        /** The peer, orderer or a chaincode container could not be reached or was overloaded. */
        UNAVAILABLE(true),
        /** Another transaction in the same block changed a key this one read; re-endorsing reads the new state. */
        MVCC_CONFLICT(true),
        /** A range read this transaction made changed before it committed. */
        PHANTOM_READ_CONFLICT(true),
        /**
         * Endorsing peers returned different results, typically because they were at different ledger heights; a new
         * endorsement usually agrees.
         */
        ENDORSEMENT_MISMATCH(true),
        /** The committed transaction lacked the endorsements the channel's policy requires. */
        ENDORSEMENT_POLICY_FAILURE(false),
        /** The peers refused the transaction at validation for another reason (see {@link #validationCode()}). */
        INVALID_TRANSACTION(false),
        /** The chaincode refused the call with an error code other than those below (see {@link #chaincodeError()}). */
        CHAINCODE_REJECTED(false),
        /** A record id (or anchored tree size) already holds different content: a bug or tampering upstream. */
        CONFLICT(false),
        /** The caller's MSP, role or signature is not allowed to do this. */
        FORBIDDEN(false),
        /** The request itself is malformed; sending it again cannot help. */
        INVALID_ARGUMENT(false),
        /** The channel, chaincode or service does not exist at the other end: a configuration error. */
        MISCONFIGURED(false),
        /**
         * Anything not recognized. Retriable because the only write ({@code PutEntries}) is idempotent, and because
         * halting with a visible error beats sending good entries to the dead letter on an unexplained failure.
         */
        UNKNOWN(true);

        private final boolean retriable;

        Kind(boolean retriable) {
            this.retriable = retriable;
        }

        public boolean retriable() {
            return retriable;
        }
    }

    private final Kind kind;
    private final String transactionId;
    private final String chaincodeError;
    private final String validationCode;

    public LedgerException(Kind kind, String message) {
        this(kind, message, null, null, null, null);
    }

    public LedgerException(Kind kind, String message, Throwable cause) {
        this(kind, message, null, null, null, cause);
    }

    /** A refusal by the chaincode, with the RegistryError name it gave, for transaction {@code transactionId}. */
    public static LedgerException chaincodeRefusal(Kind kind, String message, String transactionId,
            String chaincodeError) {
        return new LedgerException(kind, message, transactionId, Objects.requireNonNull(chaincodeError), null, null);
    }

    public LedgerException(Kind kind, String message, String transactionId, String chaincodeError, String validationCode,
            Throwable cause) {
        super(decorate(message, kind, transactionId), cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.transactionId = transactionId == null || transactionId.isEmpty() ? null : transactionId;
        this.chaincodeError = chaincodeError;
        this.validationCode = validationCode;
    }

    private static String decorate(String message, Kind kind, String transactionId) {
        String tx = transactionId == null || transactionId.isEmpty() ? "" : " (transaction " + transactionId + ")";
        return kind + ": " + message + tx;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isRetriable() {
        return kind.retriable();
    }

    /** The Fabric transaction id, when the failure happened after a proposal was created. */
    public Optional<String> transactionId() {
        return Optional.ofNullable(transactionId);
    }

    /** The chaincode's {@code RegistryError} name, when the chaincode refused the call. */
    public Optional<String> chaincodeError() {
        return Optional.ofNullable(chaincodeError);
    }

    /** The peer's {@code TxValidationCode} name, when the transaction was refused at commit. */
    public Optional<String> validationCode() {
        return Optional.ofNullable(validationCode);
    }
}
