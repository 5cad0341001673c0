package io.caduceus.edge.hl7;

/**
 * The message itself is at fault: it will be answered AE or AR (CE or CR in enhanced mode) and kept in quarantine.
 * Infrastructure failures are not this exception: for those the sender must retry, so nothing is quarantined.
 */
public final class Hl7RejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient AckCode.Outcome outcome;
    private final transient Hl7Error error;
    private final boolean keepContent;

    Hl7RejectedException(AckCode.Outcome outcome, Hl7Error error) {
        this(outcome, error, true);
    }

    /**
     * @param keepContent false when the message must not be stored even in quarantine: it concerns a patient whose
     *                    records were erased on request, and keeping it would undo the erasure
     */
    Hl7RejectedException(AckCode.Outcome outcome, Hl7Error error, boolean keepContent) {
        super(error.reason());
        this.outcome = outcome;
        this.error = error;
        this.keepContent = keepContent;
    }

    boolean keepContent() {
        return keepContent;
    }

    AckCode.Outcome outcome() {
        return outcome;
    }

    Hl7Error error() {
        return error;
    }
}
