package io.caduceus.bridge;

/** The registry holds a tree larger than the local log (the log was restored from an old backup, or another bridge anchors into the same registry), so the local log cannot be checked against it. */
public final class ChainAheadOfLogException extends BridgeException {

    private static final long serialVersionUID = 1L;

    public ChainAheadOfLogException(String message) {
        super(message);
    }

}
