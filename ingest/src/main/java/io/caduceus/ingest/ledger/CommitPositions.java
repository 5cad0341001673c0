package io.caduceus.ingest.ledger;

import io.caduceus.ingest.ledger.LedgerBatcher.Position;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The batcher's bookkeeping of source positions: per partition, the positions offered in order, which of them are
 * done, and the highest position such that it and every one offered before it are done. Not thread-safe: the
 * batcher's lock guards it.
 */
final class CommitPositions {

    /** A position awaiting its batch. */
    static final class Slot {
        final long offset;
        boolean done;

        Slot(long offset) {
            this.offset = offset;
        }
    }

    private final Map<String, ArrayDeque<Slot>> waiting = new HashMap<>();
    private final Map<String, Long> lastOffered = new HashMap<>();
    private final Map<String, Long> committable = new HashMap<>();

    /** @throws IllegalArgumentException if the position is not after the last one offered for its partition */
    void checkOrder(Position position) {
        Long last = lastOffered.get(position.partition());
        if (last != null && position.offset() <= last) {
            throw new IllegalArgumentException("position " + position + " is not after " + last);
        }
    }

    /** Records an accepted position (already checked in order); its slot is marked done by {@link #done}. */
    Slot offered(Position position) {
        Slot slot = new Slot(position.offset());
        waiting.computeIfAbsent(position.partition(), p -> new ArrayDeque<>()).addLast(slot);
        lastOffered.put(position.partition(), position.offset());
        return slot;
    }

    /** Marks the items' slots done and moves each partition's committable position past every done prefix. */
    void done(List<LedgerBatcher.Item> items) {
        for (LedgerBatcher.Item item : items) {
            item.slot().done = true;
        }
        for (LedgerBatcher.Item item : items) {
            String partition = item.position().partition();
            ArrayDeque<Slot> slots = waiting.get(partition);
            Slot head;
            while (slots != null && (head = slots.peekFirst()) != null && head.done) {
                slots.pollFirst();
                committable.put(partition, head.offset);
            }
        }
    }

    Map<String, Long> committable() {
        return Map.copyOf(committable);
    }
}
