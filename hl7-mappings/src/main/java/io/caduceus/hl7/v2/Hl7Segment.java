package io.caduceus.hl7.v2;

/**
 * One parsed segment. Positions are one-based as in the HL7 standard (PID-5.1.1 is {@code value(5, 1, 1, 1)}),
 * repetitions are one-based too. Values are already unescaped. An absent position reads as null, never an error.
 */
public final class Hl7Segment {
    private static final String[][][] ABSENT_FIELD = new String[0][][];

    private final String id;
    private final int index;
    /** [field][repetition][component][subcomponent]; index 0 of the first dimension is unused. */
    private final String[][][][] fields;

    Hl7Segment(String id, int index, String[][][][] fields) {
        this.id = id;
        this.index = index;
        this.fields = fields;
    }

    public String id() {
        return id;
    }

    /** Zero-based position of this segment in its message. */
    public int index() {
        return index;
    }

    /** Highest field position present. */
    public int fieldCount() {
        return fields.length - 1;
    }

    public int repetitionCount(int field) {
        return field(field).length;
    }

    public int componentCount(int field, int repetition) {
        String[][][] f = field(field);
        return repetition >= 1 && repetition <= f.length ? f[repetition - 1].length : 0;
    }

    public int subcomponentCount(int field, int repetition, int component) {
        String[][][] f = field(field);
        if (repetition < 1 || repetition > f.length) {
            return 0;
        }
        String[][] comps = f[repetition - 1];
        return component >= 1 && component <= comps.length ? comps[component - 1].length : 0;
    }

    /** The value at that position, or null when absent or empty. */
    public String value(int field, int repetition, int component, int subcomponent) {
        String[][][] f = field(field);
        if (repetition < 1 || repetition > f.length) {
            return null;
        }
        String[][] comps = f[repetition - 1];
        if (component < 1 || component > comps.length) {
            return null;
        }
        String[] subs = comps[component - 1];
        if (subcomponent < 1 || subcomponent > subs.length) {
            return null;
        }
        String v = subs[subcomponent - 1];
        return v == null || v.isEmpty() ? null : v;
    }

    /** The first subcomponent of the first component of the first repetition: what a plain field means. */
    public String value(int field) {
        return value(field, 1, 1, 1);
    }

    private String[][][] field(int field) {
        return field >= 1 && field < fields.length && fields[field] != null ? fields[field] : ABSENT_FIELD;
    }

    /** Shows the structure, never the content: segments carry patient data. */
    @Override
    public String toString() {
        return "Hl7Segment[" + id + " #" + (index + 1) + ", " + fieldCount() + " fields]";
    }
}
