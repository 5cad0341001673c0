package io.caduceus.ingest.vault;

/**
 * Base of every failure the vault reports. Messages name record ids, pseudonyms and sizes at most, never contents,
 * because exception messages end up in logs and dead-letter headers.
 */
public class VaultException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean retriable;

    public VaultException(String message, boolean retriable) {
        super(message);
        this.retriable = retriable;
    }

    public VaultException(String message, boolean retriable, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
    }

    /**
     * Whether the same call may succeed if repeated later (I/O trouble, database unreachable, interrupted wait).
     * {@code put} is idempotent, so retrying a retriable failure is always safe.
     */
    public boolean isRetriable() {
        return retriable;
    }
}
