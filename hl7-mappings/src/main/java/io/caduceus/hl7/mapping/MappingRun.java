package io.caduceus.hl7.mapping;

import io.caduceus.hl7.v2.Hl7Message;
import io.caduceus.hl7.v2.Hl7Segment;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Resource;

/** The state of mapping one message: its segments and the resources planned or built so far. */
final class MappingRun {
    /** One resource the message map produces from one segment. */
    static final class Instance {
        final String key;
        final Hl7Segment segment;
        final String id;
        /**
         * The instance that builds the resource when an earlier segment already named the same one (two IN1 with
         * one insurer, two OBX from one device): this one only lends its segment to references, so the Bundle holds
         * the resource once. Null for the instance that builds it.
         */
        final Instance sameAs;
        Resource resource;

        Instance(String key, Hl7Segment segment, String id, Instance sameAs) {
            this.key = key;
            this.segment = segment;
            this.id = id;
            this.sameAs = sameAs;
        }

        String reference() {
            return "urn:uuid:" + id;
        }
    }

    final Hl7Message message;
    final List<Hl7Segment> segments;
    final String messageKey;
    private final ZoneId defaultZone;
    private final ZoneOffset messageOffset;
    final Map<String, List<Instance>> instances = new HashMap<>();
    private final Set<String> groupStarts;
    /** {@link MappingMode#LENIENT}: values that cannot be mapped into optional elements are dropped and reported. */
    final boolean lenient;
    /** Null unless a coverage report was asked for: the usual run pays one null check per value written. */
    final CoverageTracker coverage;
    private List<MappingIssue> issues;

    MappingRun(Hl7Message message, ZoneId defaultZone, Set<String> groupStarts) {
        this(message, defaultZone, groupStarts, MappingMode.STRICT, null);
    }

    MappingRun(Hl7Message message, ZoneId defaultZone, Set<String> groupStarts, MappingMode mode,
            CoverageTracker coverage) {
        this.lenient = mode == MappingMode.LENIENT;
        this.coverage = coverage;
        this.message = message;
        this.groupStarts = groupStarts;
        this.segments = message.segments();
        this.defaultZone = defaultZone;
        Hl7Segment msh = message.msh();
        this.messageKey = nullToEmpty(msh.value(3)) + "|" + nullToEmpty(msh.value(4)) + "|"
                + nullToEmpty(message.controlId());
        this.messageOffset = V2DateTimes.explicitOffset(msh.value(7));
    }

    /**
     * A value left out of the Bundle: reported as an issue in lenient mode, and marked invalid for a coverage report.
     * {@code at} may be null when the failure concerns no single position; the issue then names the segment.
     */
    void dropped(V2Node at, Hl7Segment fallback, int hl7ErrorCode, String reason, String element) {
        if (coverage != null && at != null) {
            coverage.invalid(at, hl7ErrorCode, reason);
        }
        if (!lenient) {
            return;
        }
        if (issues == null) {
            issues = new ArrayList<>(2);
        }
        Hl7Segment s = at != null ? at.segment : fallback;
        int component = at != null && at.level >= V2Node.COMPONENT ? at.component : 0;
        int subcomponent = at != null && at.level == V2Node.SUBCOMPONENT ? Math.max(0, at.subcomponent) : 0;
        issues.add(new MappingIssue(s.id(), repetitionOf(s), at == null ? 0 : at.field, at == null ? 0 : at.repetition,
                component, subcomponent, hl7ErrorCode, reason, element));
    }

    List<MappingIssue> issues() {
        return issues == null ? List.of() : List.copyOf(issues);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** Senders that omit offsets mean the offset of MSH-7, and failing that the configured zone. */
    ZoneOffset offsetFor(java.time.LocalDateTime local) {
        return messageOffset != null ? messageOffset : defaultZone.getRules().getOffset(local);
    }

    /** The segment itself, else the nearest one before it, else the first one after it. */
    Hl7Segment nearestSegment(Hl7Segment current, String id) {
        int from = current == null ? 0 : current.index();
        if (current != null && current.id().equals(id)) {
            return current;
        }
        for (int i = from - 1; i >= 0; i--) {
            if (segments.get(i).id().equals(id)) {
                return segments.get(i);
            }
        }
        for (int i = from; i < segments.size(); i++) {
            if (segments.get(i).id().equals(id)) {
                return segments.get(i);
            }
        }
        return null;
    }

    /**
     * The segments of kind {@code id} that belong to the group {@code current} opens: those after it, up to the
     * next segment of its own kind or of a kind the manifest lists as opening a group (OBR, ORC, RXA, ...).
     */
    List<Hl7Segment> groupMembers(Hl7Segment current, String id) {
        List<Hl7Segment> members = new ArrayList<>();
        for (int i = current.index() + 1; i < groupEnd(current); i++) {
            Hl7Segment s = segments.get(i);
            if (s.id().equals(id)) {
                members.add(s);
            }
        }
        return members;
    }

    int repetitionOf(Hl7Segment segment) {
        int n = 0;
        for (int i = 0; i <= segment.index(); i++) {
            if (segments.get(i).id().equals(segment.id())) {
                n++;
            }
        }
        return n;
    }

    /**
     * The instance of {@code key} a resource from {@code from} refers to: the one from the same segment, else (for
     * instances of other segment kinds) the nearest one before, else the first one.
     */
    Instance referenced(String key, Hl7Segment from) {
        List<Instance> candidates = instances.get(key);
        if (candidates == null || candidates.isEmpty()) {
            return null;
        }
        Instance before = null;
        for (Instance c : candidates) {
            if (c.segment == from) {
                return c;
            }
            if (c.segment.id().equals(from.id())) {
                continue;
            }
            if (c.segment.index() < from.index()) {
                before = c;
            }
        }
        if (before != null) {
            return before;
        }
        for (Instance c : candidates) {
            if (!c.segment.id().equals(from.id())) {
                return c;
            }
        }
        return null;
    }

    /** Every resource {@code key} produced in this message, once each. */
    List<Instance> distinctInstances(String key) {
        List<Instance> found = new ArrayList<>();
        for (Instance c : instances.getOrDefault(key, List.of())) {
            if (c.sameAs == null) {
                found.add(c);
            }
        }
        return found;
    }

    /** Instances of {@code key} whose segments lie in the group the segment {@code from} opens. */
    List<Instance> referencedInGroup(String key, Hl7Segment from) {
        List<Instance> found = new ArrayList<>();
        List<Instance> candidates = instances.get(key);
        if (candidates == null) {
            return found;
        }
        int end = groupEnd(from);
        for (Instance c : candidates) {
            if (c.segment.index() > from.index() && c.segment.index() < end
                    && found.stream().noneMatch(f -> f.id.equals(c.id))) {
                found.add(c);
            }
        }
        return found;
    }

    private int groupEnd(Hl7Segment opener) {
        for (int i = opener.index() + 1; i < segments.size(); i++) {
            String id = segments.get(i).id();
            if (id.equals(opener.id()) || groupStarts.contains(id)) {
                return i;
            }
        }
        return segments.size();
    }
}
