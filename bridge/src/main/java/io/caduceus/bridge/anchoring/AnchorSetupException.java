package io.caduceus.bridge.anchoring;

/** The anchoring cannot be set up as configured (missing keystore, wrong password, wrong contract): an operator's job. */
public class AnchorSetupException extends RuntimeException {

    public AnchorSetupException(String message) {
        super(message);
    }

    public AnchorSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
