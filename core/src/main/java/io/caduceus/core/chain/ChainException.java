package io.caduceus.core.chain;

import java.util.Optional;

/**
 * A failed chain call. {@link #isRetriable()} separates what may succeed later unchanged (node down, timeout) from
 * what never will (wrong chain, rejected request, contract revert). When a transaction was already sent, its hash is
 * kept: a retriable failure after sending (e.g. no receipt before the deadline) may still be mined, so the caller must
 * look the transaction up before sending it again. {@link #refusal()} names the registry's reason when it refused.
 *
 * <p>Messages never contain private keys: only addresses, hashes and node answers.
 */
public class ChainException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean retriable;
    private final String transactionHash;
    private final AnchorRegistry.Refusal refusal;

    public ChainException(String message, boolean retriable, Throwable cause) {
        this(message, retriable, cause, null, null);
    }

    public ChainException(String message, boolean retriable, Throwable cause, String transactionHash) {
        this(message, retriable, cause, transactionHash, null);
    }

    /** A refusal is permanent whatever {@code retriable} says: the same anchor can only be refused again. */
    public ChainException(String message, boolean retriable, Throwable cause, String transactionHash,
                          AnchorRegistry.Refusal refusal) {
        super(transactionHash == null ? message : message + " (transaction " + transactionHash + ")", cause);
        this.retriable = retriable && refusal == null;
        this.transactionHash = transactionHash;
        this.refusal = refusal;
    }

    public boolean isRetriable() {
        return retriable;
    }

    /** The hash of the transaction concerned, when one had been sent. */
    public Optional<String> transactionHash() {
        return Optional.ofNullable(transactionHash);
    }

    /** Why the registry refused the call, when it did with one of its own errors. */
    public Optional<AnchorRegistry.Refusal> refusal() {
        return Optional.ofNullable(refusal);
    }
}
