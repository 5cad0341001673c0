package io.caduceus.adapters.ethereum;

import java.util.Optional;

/**
 * A failed Ethereum call. {@link #isRetriable()} separates what may succeed later unchanged (node down, timeout)
 * from what never will (wrong chain, rejected request, contract revert). When a transaction was already sent, its
 * hash is kept: a retriable failure after sending (e.g. no receipt before the deadline) may still be mined, so the
 * caller must look the transaction up before sending it again.
 *
 * <p>Messages never contain private keys: only addresses, hashes and node answers.
 */
public class EthereumException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean retriable;
    private final String transactionHash;

    public EthereumException(String message, boolean retriable, Throwable cause) {
        this(message, retriable, cause, null);
    }

    public EthereumException(String message, boolean retriable, Throwable cause, String transactionHash) {
        super(transactionHash == null ? message : message + " (transaction " + transactionHash + ")", cause);
        this.retriable = retriable;
        this.transactionHash = transactionHash;
    }

    public boolean isRetriable() {
        return retriable;
    }

    /** The hash of the transaction concerned, when one had been sent. */
    public Optional<String> transactionHash() {
        return Optional.ofNullable(transactionHash);
    }
}
