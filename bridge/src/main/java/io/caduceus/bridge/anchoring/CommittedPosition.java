package io.caduceus.bridge.anchoring;

import java.util.Map;
import java.util.Optional;

/**
 * The anchoring log's position when the Fabric feed filled it: {@code fabric:<block>:<transaction id>}, the block and
 * transaction that committed the last appended entries. Declared here because the log stores it and the bridge shows
 * where a record's entry was committed (GET /api/ledger/{recordId}); the Fabric feed writes it, the Kafka feed
 * recognises it (and then reads its topic from the start).
 */
public final class CommittedPosition {

    public static final String PREFIX = "fabric:";

    private CommittedPosition() {
    }

    public static String of(long block, String transactionId) {
        return PREFIX + block + ":" + transactionId;
    }

    public static boolean isCommitted(String position) {
        return position != null && position.startsWith(PREFIX);
    }

    /**
     * Block and transaction of a committed position ("" when it names no transaction), or empty for any other
     * position.
     *
     * @throws IllegalArgumentException when the position has the prefix but not the form: the log is then not ours
     */
    public static Optional<Map.Entry<Long, String>> origin(String position) {
        if (!isCommitted(position)) {
            return Optional.empty();
        }
        String rest = position.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("malformed Fabric feed position in the anchoring log");
        }
        long block = Long.parseLong(rest.substring(0, colon));
        return Optional.of(Map.entry(block, rest.substring(colon + 1)));
    }
}
