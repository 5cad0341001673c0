package io.caduceus.edge.hl7;

/** Rejections of HL7 content as the intake and the record store throw them, for tests in other packages. */
public final class Hl7Rejections {

    private Hl7Rejections() {
    }

    /** AE 205: the same MSH-10 with other content, as RecordStore throws it. */
    public static Hl7RejectedException duplicateWithOtherContent() {
        return new Hl7RejectedException(AckCode.Outcome.ERROR,
                Hl7Error.message(Hl7Error.DUPLICATE_KEY_IDENTIFIER, "same control id, other content"));
    }
}
