package io.caduceus.hl7.mapping;

import io.caduceus.hl7.v2.Hl7Segment;
import java.util.ArrayList;
import java.util.List;

/**
 * A compiled source path. Absolute paths name a segment ({@code PID.5.1}); relative ones start with a position
 * and read from the node in scope ({@code 4.2}). {@code group:OBX.5} reads every OBX that follows the current
 * segment up to the end of the current segment's group (the OBX lines of one TXA, one OBR, ...). {@code .} is
 * the node in scope itself.
 */
final class V2Path {
    final String text;
    final String segmentId;
    final boolean group;
    final int[] positions;

    private V2Path(String text, String segmentId, boolean group, int[] positions) {
        this.text = text;
        this.segmentId = segmentId;
        this.group = group;
        this.positions = positions;
    }

    static V2Path compile(String text, String where) {
        String rest = text.trim();
        boolean group = false;
        if (rest.startsWith("group:")) {
            group = true;
            rest = rest.substring("group:".length());
        }
        if (rest.equals(".")) {
            // The node in scope itself, for transforms that read a whole composite.
            return new V2Path(text, null, false, new int[0]);
        }
        String[] parts = rest.split("\\.");
        String segmentId = null;
        int first = 0;
        if (!parts[0].isEmpty() && Character.isLetter(parts[0].charAt(0))) {
            segmentId = parts[0];
            if (!segmentId.matches("[A-Z][A-Z0-9]{2}")) {
                throw new IllegalStateException(where + ": bad segment id in path '" + text + "'");
            }
            first = 1;
        }
        if (group && segmentId == null) {
            throw new IllegalStateException(where + ": group: needs a segment id in '" + text + "'");
        }
        int[] positions = new int[parts.length - first];
        if (positions.length > 3 || (segmentId == null && positions.length == 0)) {
            throw new IllegalStateException(where + ": bad path '" + text + "'");
        }
        for (int i = 0; i < positions.length; i++) {
            try {
                positions[i] = Integer.parseInt(parts[first + i]);
            } catch (NumberFormatException e) {
                throw new IllegalStateException(where + ": bad position in path '" + text + "'", e);
            }
            if (positions[i] < 1) {
                throw new IllegalStateException(where + ": positions start at 1 in '" + text + "'");
            }
        }
        if (segmentId != null && positions.length == 0) {
            throw new IllegalStateException(where + ": path '" + text + "' names no field");
        }
        return new V2Path(text, segmentId, group, positions);
    }

    /** All nodes the path reaches: one per field repetition (and per segment, for group paths). */
    List<V2Node> resolve(Scope scope) {
        List<V2Node> nodes = new ArrayList<>(2);
        if (segmentId == null) {
            if (scope.node == null) {
                return nodes;
            }
            V2Node n = scope.node;
            for (int p : positions) {
                n = n.child(p);
            }
            nodes.add(n);
            return nodes;
        }
        if (group) {
            for (Hl7Segment s : scope.run.groupMembers(scope.segment, segmentId)) {
                addFieldNodes(s, nodes);
            }
        } else if (scope.node != null && scope.node.segment.id().equals(segmentId)) {
            // Inside a rule that iterates other segments (group:DG1.3), DG1.6 means the DG1 being read.
            addFieldNodes(scope.node.segment, nodes);
        } else {
            Hl7Segment s = scope.run.nearestSegment(scope.segment, segmentId);
            if (s != null) {
                addFieldNodes(s, nodes);
            }
        }
        return nodes;
    }

    private void addFieldNodes(Hl7Segment s, List<V2Node> nodes) {
        int field = positions[0];
        int reps = s.repetitionCount(field);
        for (int r = 1; r <= reps; r++) {
            V2Node n = V2Node.field(s, field, r);
            for (int i = 1; i < positions.length; i++) {
                n = n.child(positions[i]);
            }
            nodes.add(n);
        }
    }

    /** First non-empty node, or null. */
    V2Node first(Scope scope) {
        for (V2Node n : resolve(scope)) {
            if (!n.isEmpty()) {
                return n;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return text;
    }
}
