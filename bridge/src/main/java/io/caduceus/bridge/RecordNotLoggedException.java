package io.caduceus.bridge;

/** The record is not (yet) in the bridge's log. */
public final class RecordNotLoggedException extends BridgeException {

    private static final long serialVersionUID = 1L;

    public RecordNotLoggedException(String message) {
        super(message);
    }

}
