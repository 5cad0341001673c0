package io.caduceus.hl7.mapping;

import io.caduceus.hl7.v2.Hl7Segment;

/** Where a rule reads from: the message run, the segment a resource comes from, and the node in scope. */
final class Scope {
    final MappingRun run;
    final Hl7Segment segment;
    final V2Node node;

    Scope(MappingRun run, Hl7Segment segment, V2Node node) {
        this.run = run;
        this.segment = segment;
        this.node = node;
    }

    Scope withNode(V2Node newNode) {
        return new Scope(run, segment, newNode);
    }

    MappingException failure(V2Node at, String reason) {
        V2Node where = at != null ? at : node;
        Hl7Segment s = where != null ? where.segment : segment;
        int field = where != null ? where.field : 0;
        int component = where != null && where.level >= V2Node.COMPONENT ? where.component : 0;
        return new MappingException(s.id(), run.repetitionOf(s), field, component, reason);
    }
}
