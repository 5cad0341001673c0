package io.caduceus.bridge;

/** The bridge's files contradict each other in a way no crash explains (edited, damaged, or a lost fsync); nothing is anchored or proven from them until an operator looks. */
public final class BridgeStateCorruptedException extends BridgeException {

    private static final long serialVersionUID = 1L;

    public BridgeStateCorruptedException(String message) {
        super(message);
    }

    public BridgeStateCorruptedException(String message, Throwable cause) {
        super(message, cause);
    }
}
