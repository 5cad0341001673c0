package io.caduceus.edge.hl7;

/**
 * What went wrong with a message, for the ERR segment and the quarantine: an HL7 table 0357 code, a reason written by
 * Caduceus (never message content: it may be patient data), where in the message it happened and how bad it is.
 *
 * @param segmentSequence one-based repetition of the segment, 0 when unknown
 * @param field one-based field position, 0 when the error concerns the segment or message
 * @param component one-based component position, 0 when the error concerns the whole field
 * @param fieldRepetition one-based repetition of the field, 0 when unknown (ERR-2 then says 1)
 * @param subcomponent one-based subcomponent position, 0 when the error concerns the whole component
 * @param severity HL7 table 0516: E for an error that refused the message, W for a value left out of a stored one
 */
record Hl7Error(int code, String reason, String segmentId, int segmentSequence, int field, int component,
        int fieldRepetition, int subcomponent, Severity severity) {

    /** HL7 table 0516, ERR-4. */
    enum Severity { E, W }

    Hl7Error {
        // Positions come from parsers that may not know the segment; an unknown position must never break the ACK.
        reason = reason == null || reason.isBlank() ? "message rejected" : reason;
        segmentId = segmentId == null ? "" : segmentId;
        severity = severity == null ? Severity.E : severity;
    }

    Hl7Error(int code, String reason, String segmentId, int segmentSequence, int field, int component) {
        this(code, reason, segmentId, segmentSequence, field, component, 0, 0, Severity.E);
    }

    /** A value lenient mapping left out of a message that was stored: a warning (ERR-4 W), with its exact position. */
    static Hl7Error warning(io.caduceus.hl7.mapping.MappingIssue issue) {
        return new Hl7Error(issue.hl7ErrorCode(), issue.reason(), issue.segmentId(), issue.segmentRepetition(),
                issue.field(), issue.component(), issue.fieldRepetition(), issue.subcomponent(), Severity.W);
    }

    static final int SEGMENT_SEQUENCE_ERROR = 100;
    static final int REQUIRED_FIELD_MISSING = 101;
    static final int DATA_TYPE_ERROR = 102;
    static final int TABLE_VALUE_NOT_FOUND = 103;
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
            case TABLE_VALUE_NOT_FOUND -> "Table value not found";
            case UNSUPPORTED_MESSAGE_TYPE -> "Unsupported message type";
            case UNSUPPORTED_EVENT_CODE -> "Unsupported event code";
            case UNSUPPORTED_VERSION_ID -> "Unsupported version id";
            case DUPLICATE_KEY_IDENTIFIER -> "Duplicate key identifier";
            case APPLICATION_RECORD_LOCKED -> "Application record locked";
            default -> "Application internal error";
        };
    }
}
