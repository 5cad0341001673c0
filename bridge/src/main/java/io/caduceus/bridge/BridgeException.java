package io.caduceus.bridge;

/** Base of the bridge's own failures; chain failures stay {@link io.caduceus.core.chain.ChainException}s. */
public class BridgeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BridgeException(String message) {
        super(message);
    }

    public BridgeException(String message, Throwable cause) {
        super(message, cause);
    }
}
