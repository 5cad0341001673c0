package io.caduceus.core.offheap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * Growable int and long arrays kept out of the Java heap in memory-mapped scratch files, for indexes that grow with
 * the data and are rebuilt from it on open (the file vault's record index and lookup lists, the anchoring log's record
 * index).
 *
 * <p>The vault's index grows by about 250 bytes per record. On the heap it shared the middleware's 512 MB with HAPI's
 * FHIR validator (about 250 MB live), so around a million records it would no longer fit, and well before that it left
 * G1 so little room that collections took a visible share of the CPU. Mapped, it is page cache: the heap stays the same
 * size however large the data grows, and the kernel may write cold pages out to the files. The files are scratch, like
 * the indexes: rebuilt on every open and never read back, so they are not forced to disk either. Without a folder
 * (unit tests) the arrays are heap buffers that behave the same.
 *
 * <p>Arrays grow by whole chunks, so growing never copies. Not thread-safe: the index classes lock around their use.
 */
public final class ScratchArrays {

    private static final int MAPPED_CHUNK_BYTES = 4 << 20;
    private static final int HEAP_CHUNK_BYTES = 64 << 10;
    private static final String SUFFIX = ".scratch";

    private final Path dir;
    private final int chunkBytes;
    private int fileCount;

    private ScratchArrays(Path dir, int chunkBytes) {
        this.dir = dir;
        this.chunkBytes = chunkBytes;
    }

    /** Arrays in files in {@code dir}, which is created if needed; scratch files left there by an earlier run are deleted. */
    public static ScratchArrays mapped(Path dir) {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).toList()) {
                    Files.delete(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the index folder " + dir, e);
        }
        return new ScratchArrays(dir, MAPPED_CHUNK_BYTES);
    }

    public static ScratchArrays onHeap() {
        return new ScratchArrays(null, HEAP_CHUNK_BYTES);
    }

    /** A new array of longs, all 0. */
    public synchronized Numbers longs() {
        return create(Long.BYTES);
    }

    /** A new array of ints, all 0. */
    public synchronized Numbers ints() {
        return create(Integer.BYTES);
    }

    private Numbers create(int width) {
        return new Numbers(dir == null ? null : dir.resolve((++fileCount) + SUFFIX), width);
    }

    /**
     * One array of fixed-width numbers; {@link #ensureCapacity} before writing past {@link #capacity}. Its owner must
     * keep every use and the {@link #close} under one lock: touching a buffer after it was unmapped crashes the JVM.
     */
    public final class Numbers implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final int width;
        private final int shift;
        private final int mask;
        private ByteBuffer[] chunks = new ByteBuffer[0];

        private Numbers(Path file, int width) {
            this.file = file;
            this.width = width;
            int perChunk = chunkBytes / width;
            this.shift = Integer.numberOfTrailingZeros(perChunk);
            this.mask = perChunk - 1;
            try {
                this.channel = file == null ? null : FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the index file " + file, e);
            }
        }

        public int capacity() {
            return chunks.length << shift;
        }

        public void ensureCapacity(int elements) {
            if (elements <= capacity()) {
                return;
            }
            int needed = (elements + mask) >>> shift;
            ByteBuffer[] grown = Arrays.copyOf(chunks, needed);
            try {
                for (int i = chunks.length; i < needed; i++) {
                    ByteBuffer chunk = channel == null ? ByteBuffer.allocate(chunkBytes)
                            : channel.map(FileChannel.MapMode.READ_WRITE, (long) i * chunkBytes, chunkBytes);
                    // The files are never read back, so the machine's own order: big-endian (Java's default) cost a
                    // byte swap on every access, a few percent of the ingest pipeline's CPU.
                    grown[i] = chunk.order(ByteOrder.nativeOrder());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot grow the index file " + file, e);
            }
            chunks = grown;
        }

        public long getLong(int index) {
            return chunks[index >>> shift].getLong((index & mask) << 3);
        }

        public void setLong(int index, long value) {
            chunks[index >>> shift].putLong((index & mask) << 3, value);
        }

        public int getInt(int index) {
            return chunks[index >>> shift].getInt((index & mask) << 2);
        }

        public void setInt(int index, int value) {
            chunks[index >>> shift].putInt((index & mask) << 2, value);
        }

        /** Unmaps and deletes the file; the array is empty afterwards. */
        @Override
        public void close() {
            ByteBuffer[] released = chunks;
            chunks = new ByteBuffer[0];
            if (channel == null) {
                return;
            }
            for (ByteBuffer chunk : released) {
                Unmapper.unmap(chunk);
            }
            try {
                channel.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // Scratch: the next open deletes it.
            }
        }
    }

    /**
     * Releases a mapping now rather than when the collector finds the buffer unreachable, which could leave old
     * generations of a rehashed table mapped for a long time. Through sun.misc.Unsafe (module jdk.unsupported), the
     * only way Java 17 offers; without it the collector does it later.
     */
    private static final class Unmapper {
        private static final Object UNSAFE;
        private static final Method INVOKE_CLEANER;

        static {
            Object unsafe = null;
            Method invokeCleaner = null;
            try {
                Class<?> type = Class.forName("sun.misc.Unsafe");
                Field field = type.getDeclaredField("theUnsafe");
                field.setAccessible(true);
                unsafe = field.get(null);
                invokeCleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
            } catch (ReflectiveOperationException | RuntimeException e) {
                unsafe = null;
                invokeCleaner = null;
            }
            UNSAFE = unsafe;
            INVOKE_CLEANER = invokeCleaner;
        }

        static void unmap(ByteBuffer buffer) {
            if (INVOKE_CLEANER == null || !(buffer instanceof MappedByteBuffer)) {
                return;
            }
            try {
                INVOKE_CLEANER.invoke(UNSAFE, buffer);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // left to the collector
            }
        }
    }
}
