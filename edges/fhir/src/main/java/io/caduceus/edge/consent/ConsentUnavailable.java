package io.caduceus.edge.consent;

/**
 * Consent could not be decided: no ledger is configured, or it did not answer in time. A read that needs consent is
 * then refused (503), never served on doubt. The message names no patient.
 */
public final class ConsentUnavailable extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ConsentUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
