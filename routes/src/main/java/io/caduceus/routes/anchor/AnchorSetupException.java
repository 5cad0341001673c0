package io.caduceus.routes.anchor;

/** The anchoring cannot be set up as configured (missing keystore, wrong password, wrong contract): an operator's job. */
final class AnchorSetupException extends RuntimeException {

    AnchorSetupException(String message) {
        super(message);
    }

    AnchorSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
