package io.caduceus.adapters.vault;

import io.caduceus.core.domain.RecordId;
import io.caduceus.core.offheap.KeyOrdinals;
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
 * <p>The ids are a {@link KeyOrdinals} (the bridge's leaf index is the same structure); it and the locations are
 * {@link ScratchArrays}, out of the heap in the vault's own index folder.
 *
 * <p>Thread-safe: the vault's writer adds, request threads read; every method holds this object's lock briefly.
 */
final class RecordIndex implements AutoCloseable {

    private static final String COMPACT_PREFIX = "r2_";
    private static final int COMPACT_LENGTH = COMPACT_PREFIX.length() + 32;

    /** Ids by ordinal, as their 128 bits ({@link #keyHigh}, {@link #keyLow}). */
    private final KeyOrdinals keys;
    // By ordinal.
    private final ScratchArrays.Numbers segments;
    private final ScratchArrays.Numbers offsets;
    private final ScratchArrays.Numbers lengths;
    private boolean closed;
    /** Ordinals whose id is not of the compact form, and those ids. */
    private final BitSet otherOrdinals = new BitSet();
    private final Map<Integer, String> otherIds = new HashMap<>();

    RecordIndex(ScratchArrays arrays) {
        this.keys = new KeyOrdinals(arrays, 1024);
        this.segments = arrays.ints();
        this.offsets = arrays.longs();
        this.lengths = arrays.ints();
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
        return closed ? 0 : keys.size();
    }

    /** Releases the arrays; every later call fails. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        keys.close();
        for (ScratchArrays.Numbers numbers : new ScratchArrays.Numbers[] {segments, offsets, lengths}) {
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
        if (ordinal < 0 || ordinal >= keys.size()) {
            throw new IndexOutOfBoundsException(ordinal);
        }
        if (otherOrdinals.get(ordinal)) {
            return otherIds.get(ordinal);
        }
        return compactId(keys.high(ordinal), keys.low(ordinal));
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
        int ordinal = keys.add(keyHigh(id), keyLow(id));
        for (ScratchArrays.Numbers numbers : new ScratchArrays.Numbers[] {segments, offsets, lengths}) {
            numbers.ensureCapacity(ordinal + 1);
        }
        if (!isCompact(id)) {
            otherOrdinals.set(ordinal);
            otherIds.put(ordinal, id);
        }
        place(ordinal, at);
        return ordinal;
    }

    private void place(int ordinal, FileRecordVault.Location at) {
        segments.setInt(ordinal, at.segment());
        offsets.setLong(ordinal, at.offset());
        lengths.setInt(ordinal, at.length());
    }

    private int ordinalOf(String id) {
        ensureOpen();
        int ordinal = keys.ordinalOf(keyHigh(id), keyLow(id));
        if (ordinal < 0) {
            return -1;
        }
        // Equal keys are the same id for compact ids; any other id is compared as the string it is.
        boolean other = otherOrdinals.get(ordinal);
        if (isCompact(id)) {
            return other ? -1 : ordinal;
        }
        return other && otherIds.get(ordinal).equals(id) ? ordinal : -1;
    }

    static boolean isCompact(String id) {
        return RecordId.isCurrentFormat(id);
    }

    // A compact id's key is its 128 bits. Any other id (format 1 records stored before, tests) is keyed by two
    // independent 64-bit hashes of its text and confirmed against the text itself.
    private static long keyHigh(String id) {
        return isCompact(id) ? hex(id, 0) : RecordLists.hash(id);
    }

    private static long keyLow(String id) {
        return isCompact(id) ? hex(id, 16) : RecordLists.hash(new StringBuilder(id).reverse().append('\u0001').toString());
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
