package io.caduceus.routes.hl7;

/**
 * What went wrong with a message, for the ERR segment and the quarantine: an HL7 table 0357 code, a reason written by
 * Caduceus (never message content: it may be patient data) and where in the message it happened.
 *
 * @param segmentSequence one-based repetition of the segment, 0 when unknown
 * @param field one-based field position, 0 when the error concerns the segment or message
 * @param component one-based component position, 0 when the error concerns the whole field
 */
record Hl7Error(int code, String reason, String segmentId, int segmentSequence, int field, int component) {

    Hl7Error {
        // Positions come from parsers that may not know the segment; an unknown position must never break the ACK.
        reason = reason == null || reason.isBlank() ? "message rejected" : reason;
        segmentId = segmentId == null ? "" : segmentId;
    }

    static final int SEGMENT_SEQUENCE_ERROR = 100;
    static final int REQUIRED_FIELD_MISSING = 101;
    static final int DATA_TYPE_ERROR = 102;
    static final int UNSUPPORTED_MESSAGE_TYPE = 200;
    static final int UNSUPPORTED_EVENT_CODE = 201;
    static final int UNSUPPORTED_VERSION_ID = 203;
    static final int DUPLICATE_KEY_IDENTIFIER = 205;
    static final int APPLICATION_RECORD_LOCKED = 206;
    static final int APPLICATION_INTERNAL_ERROR = 207;

    static Hl7Error message(int code, String reason) {
        return new Hl7Error(code, reason, "", 0, 0, 0);
    }

    /** Text of HL7 table 0357 for the code, used as the CWE text of ERR-3. */
    String codeText() {
        return switch (code) {
            case SEGMENT_SEQUENCE_ERROR -> "Segment sequence error";
            case REQUIRED_FIELD_MISSING -> "Required field missing";
            case DATA_TYPE_ERROR -> "Data type error";
            case UNSUPPORTED_MESSAGE_TYPE -> "Unsupported message type";
            case UNSUPPORTED_EVENT_CODE -> "Unsupported event code";
            case UNSUPPORTED_VERSION_ID -> "Unsupported version id";
            case DUPLICATE_KEY_IDENTIFIER -> "Duplicate key identifier";
            case APPLICATION_RECORD_LOCKED -> "Application record locked";
            default -> "Application internal error";
        };
    }
}
