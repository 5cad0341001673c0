package io.caduceus.hl7.mapping;

import io.caduceus.hl7.v2.Hl7Segment;

/**
 * A position inside a segment: one field repetition, one of its components, or one subcomponent. Datatype
 * mappings address their parts as 1, 2, ... whatever level they are applied at, so a CX applied to PID-3 and an
 * HD applied to CX.4 read their parts the same way.
 */
final class V2Node {
    static final int FIELD = 1;
    static final int COMPONENT = 2;
    static final int SUBCOMPONENT = 3;

    final Hl7Segment segment;
    final int field;
    final int repetition;
    final int component;
    final int subcomponent;
    final int level;

    V2Node(Hl7Segment segment, int field, int repetition, int component, int subcomponent, int level) {
        this.segment = segment;
        this.field = field;
        this.repetition = repetition;
        this.component = component;
        this.subcomponent = subcomponent;
        this.level = level;
    }

    static V2Node field(Hl7Segment segment, int field, int repetition) {
        return new V2Node(segment, field, repetition, 0, 0, FIELD);
    }

    V2Node child(int position) {
        switch (level) {
            case FIELD:
                return new V2Node(segment, field, repetition, position, 0, COMPONENT);
            case COMPONENT:
                return new V2Node(segment, field, repetition, component, position, SUBCOMPONENT);
            default:
                // A primitive has only itself as first part; anything deeper is absent.
                return position == 1 ? this : new V2Node(segment, field, repetition, component, -1, SUBCOMPONENT);
        }
    }

    /** The text a primitive use of this position means: its first component's first subcomponent. */
    String text() {
        String v;
        switch (level) {
            case FIELD:
                v = segment.value(field, repetition, 1, 1);
                break;
            case COMPONENT:
                v = segment.value(field, repetition, component, 1);
                break;
            default:
                v = subcomponent < 1 ? null : segment.value(field, repetition, component, subcomponent);
        }
        // "" is HL7's explicit null; FHIR has no such value, so it maps like an absent one.
        return v == null || "\"\"".equals(v) ? null : v;
    }

    boolean isEmpty() {
        switch (level) {
            case FIELD:
                for (int c = 1; c <= segment.componentCount(field, repetition); c++) {
                    if (!child(c).isEmpty()) {
                        return false;
                    }
                }
                return true;
            case COMPONENT:
                for (int s = 1; s <= segment.subcomponentCount(field, repetition, component); s++) {
                    String v = segment.value(field, repetition, component, s);
                    if (v != null && !"\"\"".equals(v)) {
                        return false;
                    }
                }
                return true;
            default:
                return text() == null;
        }
    }

    /** Every part of this position, delimiters normalised, for deriving stable ids. */
    String identityText() {
        StringBuilder sb = new StringBuilder();
        if (level == FIELD) {
            for (int c = 1; c <= segment.componentCount(field, repetition); c++) {
                if (c > 1) {
                    sb.append('^');
                }
                sb.append(child(c).identityText());
            }
        } else if (level == COMPONENT) {
            for (int s = 1; s <= segment.subcomponentCount(field, repetition, component); s++) {
                if (s > 1) {
                    sb.append('&');
                }
                String v = segment.value(field, repetition, component, s);
                sb.append(v == null ? "" : v);
            }
        } else {
            String v = text();
            sb.append(v == null ? "" : v);
        }
        return sb.toString();
    }
}
