package io.caduceus.adapters.kafka.anchoring;

import java.util.Map;
import java.util.TreeMap;

/**
 * The feed's position in the ledger-entries topic as the anchoring log stores it: the next offset to read per
 * partition, {@code p0:123,p1:456}. Stored with every append, so a restarted feed resumes exactly after the last
 * durable batch.
 */
final class FeedPositions {

    private FeedPositions() {
    }

    static String encode(Map<Integer, Long> nextOffsets) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<Integer, Long> e : new TreeMap<>(nextOffsets).entrySet()) {
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append('p').append(e.getKey()).append(':').append(e.getValue());
        }
        return out.toString();
    }

    /**
     * @throws IllegalArgumentException when {@code position} was not written by {@link #encode}: resuming from a
     *                                  guess could skip entries, so the feed refuses to start instead
     */
    static TreeMap<Integer, Long> decode(String position) {
        TreeMap<Integer, Long> offsets = new TreeMap<>();
        if (position == null || position.isBlank()) {
            return offsets;
        }
        for (String part : position.split(",")) {
            int colon = part.indexOf(':');
            if (!part.startsWith("p") || colon < 2) {
                throw new IllegalArgumentException("malformed feed position element '" + part + "'");
            }
            try {
                int partition = Integer.parseInt(part.substring(1, colon));
                long offset = Long.parseLong(part.substring(colon + 1));
                if (partition < 0 || offset < 0 || offsets.put(partition, offset) != null) {
                    throw new IllegalArgumentException("malformed feed position element '" + part + "'");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed feed position element '" + part + "'", e);
            }
        }
        return offsets;
    }
}
