package io.caduceus.hl7.mapping;

/**
 * A field of an otherwise supported message could not be mapped (the caller answers AE with an ERR segment built
 * from the positions here). The message names positions and the reason only, never the value: it is patient data.
 */
public final class MappingException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String segmentId;
    private final int segmentRepetition;
    private final int fieldPosition;
    private final int componentPosition;
    private final int hl7ErrorCode;

    MappingException(String segmentId, int segmentRepetition, int fieldPosition, int componentPosition, String reason) {
        this(segmentId, segmentRepetition, fieldPosition, componentPosition, reason, MappingIssue.DATA_TYPE_ERROR);
    }

    MappingException(String segmentId, int segmentRepetition, int fieldPosition, int componentPosition, String reason,
            int hl7ErrorCode) {
        super(segmentId + "[" + segmentRepetition + "]"
                + (fieldPosition > 0 ? "-" + fieldPosition : "")
                + (componentPosition > 0 ? "." + componentPosition : "") + ": " + reason);
        this.segmentId = segmentId;
        this.segmentRepetition = segmentRepetition;
        this.fieldPosition = fieldPosition;
        this.componentPosition = componentPosition;
        this.hl7ErrorCode = hl7ErrorCode;
    }

    /** HL7 table 0357 code for ERR-3: 101 when a required field is missing, 102 when a value cannot be used. */
    public int hl7ErrorCode() {
        return hl7ErrorCode;
    }

    public String segmentId() {
        return segmentId;
    }

    /** One-based: 2 means the second segment with this id in the message. */
    public int segmentRepetition() {
        return segmentRepetition;
    }

    /** One-based field position, 0 when the failure concerns the segment as a whole. */
    public int fieldPosition() {
        return fieldPosition;
    }

    /** One-based component position, 0 when the failure concerns the whole field. */
    public int componentPosition() {
        return componentPosition;
    }
}
