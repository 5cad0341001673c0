package io.caduceus.adapters.vault;

import io.caduceus.core.domain.RecordId;
import io.caduceus.core.offheap.ScratchArrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Record id to the location of its entry, for the embedded vault, in primitive arrays; each record also gets an
 * ordinal (its position in write order) by which {@link RecordLists} refer to it.
 *
 * <p>The index lives in memory and is rebuilt from the segments on open. As a {@code ConcurrentHashMap} of id strings
 * to location objects it cost about 150 bytes per record, which with the lookup lists put a few hundred thousand
 * records' worth of index beside HAPI's validator in the middleware's 512 MB heap. Ids of the pipeline's current form
 * ({@code r2_} and 32 lowercase hex digits) are held here as two longs, and a record costs about 40 bytes; any other id
 * (format 1 {@code r_} ids of records stored before, tests) is kept as its string besides.
 *
 * <p>The arrays are {@link ScratchArrays}, out of the heap in the vault's own index folder.
 *
 * <p>Thread-safe: the vault's writer adds, request threads read; every method holds this object's lock briefly.
 */
final class RecordIndex implements AutoCloseable {

    private static final double MAX_LOAD = 0.6;
    private static final int EMPTY = 0;
    private static final String COMPACT_PREFIX = "r2_";
    private static final int COMPACT_LENGTH = COMPACT_PREFIX.length() + 32;

    private final ScratchArrays arrays;
    // By ordinal.
    private final ScratchArrays.Numbers idHigh;
    private final ScratchArrays.Numbers idLow;
    private final ScratchArrays.Numbers segments;
    private final ScratchArrays.Numbers offsets;
    private final ScratchArrays.Numbers lengths;
    private int size;
    private boolean closed;
    /** Ordinals whose id is not of the compact form, and those ids. */
    private final BitSet otherOrdinals = new BitSet();
    private final Map<Integer, String> otherIds = new HashMap<>();

    /** Open addressing: ordinal + 1 per slot, {@link #EMPTY} for none; its length a power of two. */
    private ScratchArrays.Numbers table;
    private int tableLength;

    RecordIndex(ScratchArrays arrays) {
        this.arrays = arrays;
        this.idHigh = arrays.longs();
        this.idLow = arrays.longs();
        this.segments = arrays.ints();
        this.offsets = arrays.longs();
        this.lengths = arrays.ints();
        this.table = arrays.ints();
        this.tableLength = 2048;
        table.ensureCapacity(tableLength);
    }

    synchronized FileRecordVault.Location get(String id) {
        int ordinal = ordinalOf(id);
        return ordinal < 0 ? null
                : new FileRecordVault.Location(segments.getInt(ordinal), offsets.getLong(ordinal), lengths.getInt(ordinal));
    }

    synchronized boolean contains(String id) {
        return ordinalOf(id) >= 0;
    }

    synchronized int size() {
        return size;
    }

    /** Releases the arrays; every later call fails. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        size = 0;
        for (ScratchArrays.Numbers numbers : new ScratchArrays.Numbers[] {idHigh, idLow, segments, offsets, lengths, table}) {
            numbers.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the record index is closed");
        }
    }

    /** The id of the record with this ordinal. */
    synchronized String idOf(int ordinal) {
        ensureOpen();
        if (ordinal < 0 || ordinal >= size) {
            throw new IndexOutOfBoundsException(ordinal);
        }
        if (otherOrdinals.get(ordinal)) {
            return otherIds.get(ordinal);
        }
        return compactId(idHigh.getLong(ordinal), idLow.getLong(ordinal));
    }

    /**
     * Adds the record, or moves it to {@code at} if it is already indexed (a repaired copy).
     *
     * @return the new record's ordinal, or -1 when it was already indexed
     */
    synchronized int put(String id, FileRecordVault.Location at) {
        int ordinal = ordinalOf(id);
        if (ordinal >= 0) {
            place(ordinal, at);
            return -1;
        }
        return add(id, at);
    }

    /** @return the new record's ordinal, or -1 when it was already indexed (and left where it was) */
    synchronized int putIfAbsent(String id, FileRecordVault.Location at) {
        return ordinalOf(id) >= 0 ? -1 : add(id, at);
    }

    private int add(String id, FileRecordVault.Location at) {
        int ordinal = size;
        for (ScratchArrays.Numbers numbers : new ScratchArrays.Numbers[] {idHigh, idLow, segments, offsets, lengths}) {
            numbers.ensureCapacity(ordinal + 1);
        }
        size++;
        long hash;
        if (isCompact(id)) {
            long high = hex(id, 0);
            long low = hex(id, 16);
            idHigh.setLong(ordinal, high);
            idLow.setLong(ordinal, low);
            hash = compactHash(high, low);
        } else {
            otherOrdinals.set(ordinal);
            otherIds.put(ordinal, id);
            hash = RecordLists.hash(id);
        }
        place(ordinal, at);
        table.setInt(freeSlot(hash), ordinal + 1);
        if (size > tableLength * MAX_LOAD) {
            rehash(tableLength * 2);
        }
        return ordinal;
    }

    private void place(int ordinal, FileRecordVault.Location at) {
        segments.setInt(ordinal, at.segment());
        offsets.setLong(ordinal, at.offset());
        lengths.setInt(ordinal, at.length());
    }

    private int ordinalOf(String id) {
        ensureOpen();
        boolean compact = isCompact(id);
        long high = compact ? hex(id, 0) : 0;
        long low = compact ? hex(id, 16) : 0;
        long hash = compact ? compactHash(high, low) : RecordLists.hash(id);
        int mask = tableLength - 1;
        for (int slot = spread(hash) & mask; table.getInt(slot) != EMPTY; slot = (slot + 1) & mask) {
            int ordinal = table.getInt(slot) - 1;
            boolean other = otherOrdinals.get(ordinal);
            if (compact ? !other && idHigh.getLong(ordinal) == high && idLow.getLong(ordinal) == low
                    : other && otherIds.get(ordinal).equals(id)) {
                return ordinal;
            }
        }
        return -1;
    }

    private int freeSlot(long hash) {
        int mask = tableLength - 1;
        int slot = spread(hash) & mask;
        while (table.getInt(slot) != EMPTY) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void rehash(int capacity) {
        table.close();
        table = arrays.ints();
        table.ensureCapacity(capacity);
        tableLength = capacity;
        for (int ordinal = 0; ordinal < size; ordinal++) {
            long hash = otherOrdinals.get(ordinal) ? RecordLists.hash(otherIds.get(ordinal))
                    : compactHash(idHigh.getLong(ordinal), idLow.getLong(ordinal));
            table.setInt(freeSlot(hash), ordinal + 1);
        }
    }

    private static long compactHash(long high, long low) {
        return high * 0x9E3779B97F4A7C15L ^ low; // the id is already a digest: any mix of both halves spreads
    }

    private static int spread(long hash) {
        return (int) (hash ^ (hash >>> 32));
    }

    static boolean isCompact(String id) {
        return RecordId.isCurrentFormat(id);
    }

    /** Sixteen hex digits of a compact id, {@code from} counted after its prefix. */
    private static long hex(String id, int from) {
        int start = COMPACT_PREFIX.length() + from;
        return Long.parseUnsignedLong(id, start, start + 16, 16);
    }

    private static String compactId(long high, long low) {
        char[] id = new char[COMPACT_LENGTH];
        COMPACT_PREFIX.getChars(0, COMPACT_PREFIX.length(), id, 0);
        writeHex(high, id, COMPACT_PREFIX.length());
        writeHex(low, id, COMPACT_PREFIX.length() + 16);
        return new String(id);
    }

    private static void writeHex(long value, char[] into, int from) {
        for (int i = from + 15; i >= from; i--) {
            into[i] = Character.forDigit((int) (value & 0xF), 16);
            value >>>= 4;
        }
    }
}
