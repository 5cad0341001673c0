package io.caduceus.bridge.anchoring;

import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.stats.LatencyWindow;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * How long records wait from their receipt (the HL7 or FHIR intake, just before the ACK) to a confirmed anchor that
 * covers them. Each append to the log is remembered by its end size and the oldest and newest receive time among its
 * entries; once a confirmed anchor reaches that size, both times count. Two samples per append (a Fabric transaction
 * or a Kafka poll), not one per record: enough for percentiles, and the cost does not grow with the load.
 */
public final class AnchorLatency {

    private record Append(long endSize, long oldestMillis, long newestMillis) {
    }

    /** Appends not yet covered; bounded so that a chain that never confirms cannot grow it without end. */
    private static final int MAX_WAITING = 100_000;

    private final Deque<Append> waiting = new ArrayDeque<>();
    private final LatencyWindow window = new LatencyWindow(20_000);

    public synchronized void appended(long endSize, List<LedgerEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        long oldest = Long.MAX_VALUE;
        long newest = Long.MIN_VALUE;
        for (LedgerEntry entry : entries) {
            long t = entry.receivedAt().toEpochMilli();
            oldest = Math.min(oldest, t);
            newest = Math.max(newest, t);
        }
        if (waiting.size() == MAX_WAITING) {
            waiting.removeFirst();
        }
        waiting.addLast(new Append(endSize, oldest, newest));
    }

    public synchronized void confirmed(long treeSize, Instant at) {
        long now = at.toEpochMilli();
        while (!waiting.isEmpty() && waiting.peekFirst().endSize() <= treeSize) {
            Append covered = waiting.removeFirst();
            window.record(now - covered.oldestMillis());
            window.record(now - covered.newestMillis());
        }
    }

    public Map<String, Object> summary() {
        return window.summary();
    }
}
