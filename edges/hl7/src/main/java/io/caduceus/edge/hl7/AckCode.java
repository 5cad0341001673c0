package io.caduceus.edge.hl7;

/**
 * HL7 table 0008 acknowledgment codes: original mode and enhanced-mode application acknowledgments (A*), and
 * enhanced-mode commit acknowledgments (C*).
 */
enum AckCode {
    AA, AE, AR, CA, CE, CR;

    /** Outcome of processing a message, before the acknowledgment mode turns it into a code. */
    enum Outcome {
        ACCEPTED, ERROR, REJECTED
    }

    static AckCode originalMode(Outcome outcome) {
        return switch (outcome) {
            case ACCEPTED -> AA;
            case ERROR -> AE;
            case REJECTED -> AR;
        };
    }

    /** Enhanced mode's application acknowledgment says what original mode's does, with the same codes. */
    static AckCode applicationMode(Outcome outcome) {
        return originalMode(outcome);
    }

    /**
     * The commit acknowledgment says only whether the message is in safe storage (HL7 v2 chapter 2): a message
     * quarantined for its content is stored, so the sender must not resend it and gets CA, with the error in the
     * application acknowledgment. CE is for a message Caduceus could not store, CR for one it will not accept at all
     * (unsupported type or version, unreadable).
     */
    static AckCode commitMode(Outcome outcome, boolean committed) {
        return switch (outcome) {
            case ACCEPTED -> CA;
            case ERROR -> committed ? CA : CE;
            case REJECTED -> CR;
        };
    }
}
