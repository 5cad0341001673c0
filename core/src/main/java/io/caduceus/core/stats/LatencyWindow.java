package io.caduceus.core.stats;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last {@code capacity} latencies of one kind (say, from an HL7 acknowledgement to the Fabric commit of its
 * ledger entry), for percentiles in the status. A ring of longs: recording costs no allocation, and a percentile sorts
 * a copy only when someone asks.
 */
public final class LatencyWindow {

    private final long[] millis;
    private long recorded;

    public LatencyWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.millis = new long[capacity];
    }

    public synchronized void record(long latencyMillis) {
        millis[(int) (recorded++ % millis.length)] = Math.max(0, latencyMillis);
    }

    /** {@code count}, and p50, p99 and max in milliseconds over the window (absent while nothing was recorded). */
    public Map<String, Object> summary() {
        long[] copy;
        long count;
        synchronized (this) {
            count = recorded;
            copy = Arrays.copyOf(millis, (int) Math.min(recorded, millis.length));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", count);
        if (copy.length > 0) {
            Arrays.sort(copy);
            out.put("p50Ms", percentile(copy, 0.50));
            out.put("p99Ms", percentile(copy, 0.99));
            out.put("maxMs", copy[copy.length - 1]);
        }
        return out;
    }

    static long percentile(long[] sorted, double quantile) {
        int rank = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }
}
