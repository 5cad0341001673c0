package io.caduceus.hl7.mapping;

import io.caduceus.hl7.v2.Hl7Segment;

/**
 * Where a rule reads from: the message run, the segment a resource comes from, and the node in scope; and where it
 * writes: the element the enclosing rules opened, and whether that element is required all the way up to its resource
 * (a value that cannot be mapped there fails the message even in lenient mode).
 */
final class Scope {
    final MappingRun run;
    final Hl7Segment segment;
    final V2Node node;
    final boolean required;
    /** The scope of the enclosing element, null at the resource. */
    private final Scope outer;
    /** The path of the element this scope fills, relative to {@link #outer}'s, or the resource type at the resource. */
    private final String step;

    Scope(MappingRun run, Hl7Segment segment, V2Node node) {
        this(run, segment, node, true, null, null);
    }

    private Scope(MappingRun run, Hl7Segment segment, V2Node node, boolean required, Scope outer, String step) {
        this.run = run;
        this.segment = segment;
        this.node = node;
        this.required = required;
        this.outer = outer;
        this.step = step;
    }

    /** The scope of a resource of the given type built from {@code segment}. */
    static Scope ofResource(MappingRun run, Hl7Segment segment, String resourceType) {
        return new Scope(run, segment, null, true, null, resourceType);
    }

    /** The scope of a complex element at {@code path} (relative to this scope) read from {@code newNode}. */
    Scope inside(V2Node newNode, String path, boolean pathRequired) {
        return new Scope(run, segment, newNode, required && pathRequired, this, path);
    }

    /** FHIRPath of the element at {@code path} relative to this scope, from its resource. */
    String elementPath(String path) {
        StringBuilder sb = new StringBuilder(path);
        for (Scope s = this; s != null; s = s.outer) {
            if (s.step != null) {
                sb.insert(0, '.').insert(0, s.step);
            }
        }
        return sb.toString();
    }

    MappingException failure(V2Node at, String reason) {
        return failure(at, reason, MappingIssue.DATA_TYPE_ERROR);
    }

    MappingException failure(V2Node at, String reason, int hl7ErrorCode) {
        V2Node where = at != null ? at : node;
        Hl7Segment s = where != null ? where.segment : segment;
        int field = where != null ? where.field : 0;
        int component = where != null && where.level >= V2Node.COMPONENT ? where.component : 0;
        return new MappingException(s.id(), run.repetitionOf(s), field, component, reason, hl7ErrorCode);
    }

    /**
     * A value at {@code at} that cannot be written to the element at {@code path}: in lenient mode, when that element
     * is not required, it is left out and reported; otherwise the message fails.
     */
    void unusable(V2Node at, String path, boolean pathRequired, String reason) throws MappingException {
        if (!run.lenient || required && pathRequired) {
            throw failure(at, reason);
        }
        run.dropped(at != null ? at : node, segment, MappingIssue.DATA_TYPE_ERROR, reason, elementPath(path));
    }

    /** A code the translation table for the element at {@code path} does not know: reported in lenient mode only. */
    void unknownCode(V2Node at, String path) {
        if (run.lenient || run.coverage != null) {
            run.dropped(at != null ? at : node, segment, MappingIssue.TABLE_VALUE_NOT_FOUND,
                    "code not in the translation table", elementPath(path));
        }
    }
}
