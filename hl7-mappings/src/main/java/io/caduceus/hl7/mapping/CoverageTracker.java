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

    void invalid(V2Node node, int code, String reason) {
        invalid.putIfAbsent(leaf(node), new Invalid(code, reason));
    }

    /** Every populated value of the message, in message order; MSH-1 and MSH-2 are delimiters, not values. */
    MappingCoverage report(Hl7Message message, MappingResult result) {
        List<MappingCoverage.Value> values = new ArrayList<>();
        Map<String, Integer> repetitions = new HashMap<>();
        for (Hl7Segment s : message.segments()) {
            int segmentRepetition = repetitions.merge(s.id(), 1, Integer::sum);
            for (int f = "MSH".equals(s.id()) ? 3 : 1; f <= s.fieldCount(); f++) {
                for (int r = 1; r <= s.repetitionCount(f); r++) {
                    int components = s.componentCount(f, r);
                    for (int c = 1; c <= components; c++) {
                        int subcomponents = s.subcomponentCount(f, r, c);
                        for (int sc = 1; sc <= subcomponents; sc++) {
                            String v = s.value(f, r, c, sc);
                            if (v == null || "\"\"".equals(v)) {
                                continue;
                            }
                            Key key = new Key(s.index(), f, r, c, sc);
                            Invalid bad = invalid.get(key);
                            MappingCoverage.Status status = used.contains(key) ? MappingCoverage.Status.MAPPED
                                    : bad != null ? MappingCoverage.Status.INVALID : MappingCoverage.Status.UNMAPPED;
                            boolean invalidShown = status == MappingCoverage.Status.INVALID;
                            values.add(new MappingCoverage.Value(s.id(), segmentRepetition, f, r,
                                    components > 1 ? c : 0, subcomponents > 1 ? sc : 0, status,
                                    invalidShown ? bad.code() : 0, invalidShown ? bad.reason() : null));
                        }
                    }
                }
            }
        }
        return new MappingCoverage(message.messageType() + "^" + message.triggerEvent(), values, result);
    }
}
