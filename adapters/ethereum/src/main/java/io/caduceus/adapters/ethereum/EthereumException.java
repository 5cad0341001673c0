package io.caduceus.adapters.ethereum;

/**
 * A failed Ethereum call. {@link #isRetriable()} separates what may succeed later unchanged (node down, timeout)
 * from what never will (wrong chain, rejected request).
 */
public class EthereumException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean retriable;

    public EthereumException(String message, boolean retriable, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
    }

    public boolean isRetriable() {
        return retriable;
    }
}
