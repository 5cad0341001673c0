package io.caduceus.bridge;

/** The log is not an append-only extension of a root the chain already holds: its history was rewritten or it is the wrong log. Never anchored over; needs an operator. */
public final class InconsistentHistoryException extends BridgeException {

    private static final long serialVersionUID = 1L;

    public InconsistentHistoryException(String message) {
        super(message);
    }

}
