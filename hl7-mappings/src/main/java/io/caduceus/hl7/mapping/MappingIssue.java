package io.caduceus.hl7.mapping;

/**
 * A value the mapper left out in {@link MappingMode#LENIENT} mode: where it sat in the message, why, and the FHIR
 * element it was meant for. Positions and reasons only, never the value itself (it is patient data).
 *
 * @param segmentRepetition one-based: 2 means the second segment with this id in the message
 * @param fieldRepetition one-based repetition of the field
 * @param component one-based component, 0 when the whole field was dropped
 * @param subcomponent one-based subcomponent, 0 when the whole component (or field) was dropped
 * @param hl7ErrorCode HL7 table 0357 code: {@link #DATA_TYPE_ERROR} or {@link #TABLE_VALUE_NOT_FOUND}
 * @param element the FHIR element the value was meant for, as a FHIRPath from the resource ({@code Immunization.expirationDate})
 */
public record MappingIssue(String segmentId, int segmentRepetition, int field, int fieldRepetition, int component,
        int subcomponent, int hl7ErrorCode, String reason, String element) {

    public static final int REQUIRED_FIELD_MISSING = 101;
    public static final int DATA_TYPE_ERROR = 102;
    public static final int TABLE_VALUE_NOT_FOUND = 103;

    /** The position as integration engineers write it: {@code RXA-16}, {@code PID[2]-11[3].5}, {@code OBX-5.1.2}. */
    public String location() {
        StringBuilder sb = new StringBuilder(segmentId);
        if (segmentRepetition > 1) {
            sb.append('[').append(segmentRepetition).append(']');
        }
        if (field > 0) {
            sb.append('-').append(field);
            if (fieldRepetition > 1) {
                sb.append('[').append(fieldRepetition).append(']');
            }
            if (component > 0) {
                sb.append('.').append(component);
                if (subcomponent > 0) {
                    sb.append('.').append(subcomponent);
                }
            }
        }
        return sb.toString();
    }

    /** Text of the HL7 table 0357 code. */
    public String codeText() {
        return switch (hl7ErrorCode) {
            case REQUIRED_FIELD_MISSING -> "Required field missing";
            case TABLE_VALUE_NOT_FOUND -> "Table value not found";
            default -> "Data type error";
        };
    }
}
