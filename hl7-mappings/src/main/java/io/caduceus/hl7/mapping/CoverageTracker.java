package io.caduceus.hl7.mapping;

import io.caduceus.hl7.v2.Hl7Message;
import io.caduceus.hl7.v2.Hl7Segment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Which populated values of one message the mapping carried into the Bundle, and which it found unusable. */
final class CoverageTracker {
    private record Key(int segment, int field, int repetition, int component, int subcomponent) {
    }

    private record Invalid(int code, String reason) {
    }

    private final Set<Key> used = new HashSet<>();
    private final Map<Key, Invalid> invalid = new HashMap<>();
    /** {@code OBR.16} -> {@code [ORC.12]}: fields that say the same fact, both ways. */
    private final Map<String, Set<String>> sameFacts;

    CoverageTracker(Map<String, Set<String>> sameFacts) {
        this.sameFacts = sameFacts;
    }

    /**
     * {@code ["OBR.2=ORC.2", "RXE.1.4=TQ1.7", ...]} (mappings.yml {@code sameFacts}) as a lookup in both directions. A
     * side may name one component ({@code RXE.1.4}, the start of a TQ beside the TQ1-7 that replaced it).
     */
    static Map<String, Set<String>> sameFacts(List<String> pairs) {
        Map<String, Set<String>> out = new HashMap<>();
        for (String pair : pairs) {
            String[] sides = pair.split("=");
            if (sides.length != 2 || !sides[0].trim().matches("[A-Z][A-Z0-9]{2}\\.\\d+(\\.\\d+)?")
                    || !sides[1].trim().matches("[A-Z][A-Z0-9]{2}\\.\\d+(\\.\\d+)?")) {
                throw new IllegalStateException("mappings.yml sameFacts: '" + pair + "' is not SEG.n[.c]=SEG.m[.k]");
            }
            out.computeIfAbsent(sides[0].trim(), k -> new HashSet<>()).add(sides[1].trim());
            out.computeIfAbsent(sides[1].trim(), k -> new HashSet<>()).add(sides[0].trim());
        }
        return Map.copyOf(out);
    }

    /** Where a value sits, without the segment instance and repetition: {@code OBR.16.2.1}. */
    private static String place(String segmentId, int field, int component, int subcomponent) {
        return segmentId + "." + field + "." + component + "." + subcomponent;
    }

    /** The value a primitive read of {@code node} takes: its first component's first subcomponent. */
    private static Key leaf(V2Node n) {
        return switch (n.level) {
            case V2Node.FIELD -> new Key(n.segment.index(), n.field, n.repetition, 1, 1);
            case V2Node.COMPONENT -> new Key(n.segment.index(), n.field, n.repetition, n.component, 1);
            default -> new Key(n.segment.index(), n.field, n.repetition, n.component, Math.max(0, n.subcomponent));
        };
    }

    void used(V2Node node) {
        used.add(leaf(node));
    }

    /** A composite read whole by a transform: parts {@code first} to {@code first + count - 1}. */
    void usedParts(V2Node node, int first, int count) {
        for (int i = 0; i < count; i++) {
            used.add(leaf(node.child(first + i)));
        }
    }

    /** A value the mapper writes from code rather than from a mapping file (MSH-3, MSH-10 into the Provenance...). */
    void used(Hl7Segment segment, int field, int component) {
        used.add(new Key(segment.index(), field, 1, component, 1));
    }

    /** One value the mapper carries from code, at its full position (a Z-segment's, see {@link ZSegments}). */
    void used(Hl7Segment segment, int field, int repetition, int component, int subcomponent) {
        used.add(new Key(segment.index(), field, repetition, component, subcomponent));
    }

    void invalid(V2Node node, int code, String reason) {
        invalid.putIfAbsent(leaf(node), new Invalid(code, reason));
    }

    /** Every populated value of the message, in message order; MSH-1 and MSH-2 are delimiters, not values. */
    MappingCoverage report(Hl7Message message, MappingResult result) {
        // The texts carried from each place, for values that repeat one of them (see MappingCoverage.Status.REPEATED).
        Map<String, Set<String>> carried = new HashMap<>();
        for (Hl7Segment s : message.segments()) {
            forEachValue(s, (f, r, c, sc, v) -> {
                if (used.contains(new Key(s.index(), f, r, c, sc))) {
                    carried.computeIfAbsent(place(s.id(), f, c, sc), k -> new HashSet<>()).add(v);
                }
            });
        }
        List<MappingCoverage.Value> values = new ArrayList<>();
        Map<String, Integer> repetitions = new HashMap<>();
        for (Hl7Segment s : message.segments()) {
            int segmentRepetition = repetitions.merge(s.id(), 1, Integer::sum);
            forEachValue(s, (f, r, c, sc, v) -> {
                int components = s.componentCount(f, r);
                int subcomponents = s.subcomponentCount(f, r, c);
                Key key = new Key(s.index(), f, r, c, sc);
                Invalid bad = invalid.get(key);
                MappingCoverage.Status status = used.contains(key) ? MappingCoverage.Status.MAPPED
                        : bad != null ? MappingCoverage.Status.INVALID
                        : repeats(carried, s.id(), f, c, sc, v) ? MappingCoverage.Status.REPEATED
                        : MappingCoverage.Status.UNMAPPED;
                boolean invalidShown = status == MappingCoverage.Status.INVALID;
                values.add(new MappingCoverage.Value(s.id(), segmentRepetition, f, r,
                        components > 1 ? c : 0, subcomponents > 1 ? sc : 0, status,
                        invalidShown ? bad.code() : 0, invalidShown ? bad.reason() : null));
            });
        }
        return new MappingCoverage(message.messageType() + "^" + message.triggerEvent(), values, result);
    }

    private boolean repeats(Map<String, Set<String>> carried, String segmentId, int field, int component,
            int subcomponent, String value) {
        if (carried.getOrDefault(place(segmentId, field, component, subcomponent), Set.of()).contains(value)) {
            return true;
        }
        for (String twin : sameFacts.getOrDefault(segmentId + "." + field, Set.of())) {
            // A whole field beside one component of another: only the field's first component can be that value.
            String at = isComponent(twin) ? component == 1 ? twin + "." + subcomponent : null
                    : twin + "." + component + "." + subcomponent;
            if (at != null && carried.getOrDefault(at, Set.of()).contains(value)) {
                return true;
            }
        }
        for (String twin : sameFacts.getOrDefault(segmentId + "." + field + "." + component, Set.of())) {
            String at = isComponent(twin) ? twin + "." + subcomponent : twin + ".1." + subcomponent;
            if (carried.getOrDefault(at, Set.of()).contains(value)) {
                return true;
            }
        }
        return false;
    }

    /** {@code RXE.1.4} rather than {@code TQ1.7}. */
    private static boolean isComponent(String place) {
        return place.indexOf('.') != place.lastIndexOf('.');
    }

    private interface ValueVisitor {
        void visit(int field, int repetition, int component, int subcomponent, String value);
    }

    private static void forEachValue(Hl7Segment s, ValueVisitor visitor) {
        for (int f = "MSH".equals(s.id()) ? 3 : 1; f <= s.fieldCount(); f++) {
            for (int r = 1; r <= s.repetitionCount(f); r++) {
                for (int c = 1; c <= s.componentCount(f, r); c++) {
                    for (int sc = 1; sc <= s.subcomponentCount(f, r, c); sc++) {
                        String v = s.value(f, r, c, sc);
                        if (v != null && !"\"\"".equals(v)) {
                            visitor.visit(f, r, c, sc, v);
                        }
                    }
                }
            }
        }
    }
}
