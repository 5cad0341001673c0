package io.caduceus.hl7.mapping;

import java.util.List;

/**
 * For integration engineers: every populated value of one message (segment, repetition, field, component,
 * subcomponent) and what the mapping did with it: carried it into the Bundle, left it out because no mapping reads it,
 * or left it out because it could not be used (bad date, unknown code). Positions and reasons only, never values, so a
 * report can be shared; {@link #result()} is the mapping itself and is patient data.
 */
public final class MappingCoverage {
    public enum Status {
        /** Written into the Bundle by some rule. */
        MAPPED,
        /**
         * Not written again because the Bundle already holds it: the same value as one mapped from the same field of
         * another segment of the kind (the test code on every text line of a document) or from a field that says the
         * same fact (OBR-2 beside ORC-2, a self-insured IN1-16 beside PID-5; {@code sameFacts} in mappings.yml).
         */
        REPEATED,
        /** No rule of the mapping reads it. */
        UNMAPPED,
        /** A rule read it but could not use it (HL7 table 0357 code and reason given). */
        INVALID
    }

    /**
     * One populated value.
     *
     * @param component one-based; 0 when the field has a single component
     * @param subcomponent one-based; 0 when the component has a single subcomponent
     */
    public record Value(String segmentId, int segmentRepetition, int field, int repetition, int component,
            int subcomponent, Status status, int hl7ErrorCode, String reason) {

        /** {@code PID-5.1}, {@code OBX[2]-5}, {@code PID-3[2].4.1}: repetitions shown from the second on. */
        public String location() {
            StringBuilder sb = new StringBuilder(segmentId);
            if (segmentRepetition > 1) {
                sb.append('[').append(segmentRepetition).append(']');
            }
            sb.append('-').append(field);
            if (repetition > 1) {
                sb.append('[').append(repetition).append(']');
            }
            if (component > 0) {
                sb.append('.').append(component);
            }
            if (subcomponent > 0) {
                sb.append('.').append(component > 0 ? "" : "1.").append(subcomponent);
            }
            return sb.toString();
        }
    }

    private final String message;
    private final List<Value> values;
    private final MappingResult result;

    MappingCoverage(String message, List<Value> values, MappingResult result) {
        this.message = message;
        this.values = List.copyOf(values);
        this.result = result;
    }

    /** Message type and trigger, as {@code VXU^V04}. */
    public String message() {
        return message;
    }

    public List<Value> values() {
        return values;
    }

    public MappingResult result() {
        return result;
    }

    public int populated() {
        return values.size();
    }

    public int mapped() {
        return count(Status.MAPPED);
    }

    /** Values the Bundle holds because the same value was mapped from elsewhere: see {@link Status#REPEATED}. */
    public int repeated() {
        return count(Status.REPEATED);
    }

    public int unmapped() {
        return count(Status.UNMAPPED);
    }

    public int invalid() {
        return count(Status.INVALID);
    }

    private int count(Status status) {
        int n = 0;
        for (Value v : values) {
            n += v.status() == status ? 1 : 0;
        }
        return n;
    }

    /** One line per value, then the totals: for people. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        for (Value v : values) {
            sb.append(String.format("%-16s ", v.location())).append(v.status().name().toLowerCase(java.util.Locale.ROOT));
            if (v.status() == Status.INVALID) {
                sb.append("  ").append(v.hl7ErrorCode()).append(": ").append(v.reason());
            }
            sb.append('\n');
        }
        sb.append(summary()).append('\n');
        return sb.toString();
    }

    /** {@code 93 of 112 populated values mapped, 4 repeated (15 unmapped, 0 invalid)}. */
    public String summary() {
        return mapped() + " of " + populated() + " populated values mapped, " + repeated() + " repeated ("
                + unmapped() + " unmapped, " + invalid() + " invalid)";
    }

    /** The same as JSON, for scripts: {@code {"message", "populated", "mapped", "unmapped", "invalid", "values": [...]}}. */
    public String toJson() {
        StringBuilder sb = new StringBuilder(64 + values.size() * 120);
        sb.append("{\"message\":").append(quote(message))
                .append(",\"populated\":").append(populated())
                .append(",\"mapped\":").append(mapped())
                .append(",\"repeated\":").append(repeated())
                .append(",\"unmapped\":").append(unmapped())
                .append(",\"invalid\":").append(invalid())
                .append(",\"values\":[");
        for (int i = 0; i < values.size(); i++) {
            Value v = values.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"location\":").append(quote(v.location()))
                    .append(",\"segment\":").append(quote(v.segmentId()))
                    .append(",\"segmentRepetition\":").append(v.segmentRepetition())
                    .append(",\"field\":").append(v.field())
                    .append(",\"repetition\":").append(v.repetition())
                    .append(",\"component\":").append(v.component())
                    .append(",\"subcomponent\":").append(v.subcomponent())
                    .append(",\"status\":").append(quote(v.status().name().toLowerCase(java.util.Locale.ROOT)));
            if (v.status() == Status.INVALID) {
                sb.append(",\"hl7ErrorCode\":").append(v.hl7ErrorCode()).append(",\"reason\":").append(quote(v.reason()));
            }
            sb.append('}');
        }
        return sb.append("]}").toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    @Override
    public String toString() {
        return "MappingCoverage[" + message + ": " + summary() + "]";
    }
}
