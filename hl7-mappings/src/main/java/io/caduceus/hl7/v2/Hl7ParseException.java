package io.caduceus.hl7.v2;

/**
 * The bytes are not an HL7 v2 message this parser accepts.
 *
 * <p>The message names where parsing stopped (segment id, segment index, field position) and why, but never the
 * content found there: the input is patient data.
 */
public final class Hl7ParseException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String segmentId;
    private final int segmentIndex;
    private final int fieldPosition;

    Hl7ParseException(String segmentId, int segmentIndex, int fieldPosition, String reason) {
        super(describe(segmentId, segmentIndex, fieldPosition, reason));
        this.segmentId = segmentId;
        this.segmentIndex = segmentIndex;
        this.fieldPosition = fieldPosition;
    }

    private static String describe(String segmentId, int segmentIndex, int fieldPosition, String reason) {
        StringBuilder where = new StringBuilder();
        where.append(segmentId == null ? "segment" : segmentId);
        if (fieldPosition > 0) {
            where.append('-').append(fieldPosition);
        }
        if (segmentIndex >= 0) {
            where.append(" (segment #").append(segmentIndex + 1).append(')');
        }
        return where + ": " + reason;
    }

    /** The segment id, or null when no segment id could be read. */
    public String segmentId() {
        return segmentId;
    }

    /** Zero-based index of the segment in the message, or -1 when not known. */
    public int segmentIndex() {
        return segmentIndex;
    }

    /** One-based field position (MSH-1 is the field separator), or 0 for the segment as a whole. */
    public int fieldPosition() {
        return fieldPosition;
    }
}
