package io.caduceus.routes.hl7;

/**
 * The message itself is at fault: it will be answered AE or AR (CE or CR in enhanced mode) and kept in quarantine.
 * Infrastructure failures are not this exception: for those the sender must retry, so nothing is quarantined.
 */
public final class Hl7RejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient AckCode.Outcome outcome;
    private final transient Hl7Error error;

    Hl7RejectedException(AckCode.Outcome outcome, Hl7Error error) {
        super(error.reason());
        this.outcome = outcome;
        this.error = error;
    }

    AckCode.Outcome outcome() {
        return outcome;
    }

    Hl7Error error() {
        return error;
    }
}
