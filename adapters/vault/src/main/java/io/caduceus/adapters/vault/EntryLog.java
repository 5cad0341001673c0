package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.RecordIntegrityException;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * An append-only file of framed entries: {@code int bodyLength, int crc32c(body), body}. The checksum lets a scan
 * tell a torn tail (a crash while a batch was being written, never acknowledged) from good data, and lets reads
 * detect bit rot before the bytes reach the cipher.
 *
 * <p>Not thread-safe for appends (one writer thread owns it); positional reads are safe from any thread.
 */
final class EntryLog implements Closeable {

    static final int HEADER = 8;
    static final int MAX_BODY = 256 * 1024 * 1024;

    interface Visitor {
        /**
         * @param intact false for an entry whose checksum fails but which is followed by intact entries: damage in
         *               place (bit rot, tampering), not a torn write, so it is reported rather than cut off
         */
        void entry(long offset, int frameLength, byte[] body, boolean intact) throws IOException;
    }

    private static final System.Logger LOG = System.getLogger(EntryLog.class.getName());

    private final Path path;
    private final FileChannel channel;
    private long size;

    private EntryLog(Path path, FileChannel channel, long size) {
        this.path = path;
        this.channel = channel;
        this.size = size;
    }

    /**
     * Opens (creating if needed) and scans the log. Damaged entries at the very end are what a crash during an
     * unforced (hence unacknowledged) batch leaves behind: with {@code truncateTornTail} they are cut off, otherwise
     * reported as corruption. Damaged entries followed by intact ones are passed to the visitor as not intact.
     *
     * @return the log, positioned for appends after the last good entry
     */
    static EntryLog open(Path path, Visitor visitor, boolean truncateTornTail) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long fileSize = channel.size();
            long good = scan(path, fileSize, visitor);
            if (good < fileSize) {
                if (!truncateTornTail) {
                    throw new RecordIntegrityException("corrupt entry at offset " + good + " of " + path.getFileName()
                            + " (not the newest file, so not a torn write)");
                }
                LOG.log(System.Logger.Level.WARNING, "cutting " + (fileSize - good) + " bytes of incomplete entries off "
                        + path + " (left by an interrupted, never acknowledged write)");
                channel.truncate(good);
                channel.force(true);
            }
            return new EntryLog(path, channel, good);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private record Damaged(long offset, int frameLength, byte[] body) {
    }

    /** @return the offset just past the last intact entry */
    private static long scan(Path path, long fileSize, Visitor visitor) throws IOException {
        long offset = 0;
        List<Damaged> damaged = new java.util.ArrayList<>();
        try (InputStream raw = Files.newInputStream(path);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 20))) {
            CRC32C crc = new CRC32C();
            while (offset + HEADER <= fileSize) {
                int length;
                int expectedCrc;
                byte[] body;
                try {
                    length = in.readInt();
                    expectedCrc = in.readInt();
                    if (length <= 0 || length > MAX_BODY || offset + HEADER + length > fileSize) {
                        break;
                    }
                    body = new byte[length];
                    in.readFully(body);
                } catch (EOFException e) {
                    break;
                }
                crc.reset();
                crc.update(body);
                if ((int) crc.getValue() != expectedCrc) {
                    damaged.add(new Damaged(offset, HEADER + length, body));
                } else {
                    for (Damaged d : damaged) {
                        visitor.entry(d.offset(), d.frameLength(), d.body(), false);
                    }
                    damaged.clear();
                    visitor.entry(offset, HEADER + length, body, true);
                }
                offset += HEADER + length;
            }
        }
        return damaged.isEmpty() ? offset : damaged.get(0).offset();
    }

    static ByteBuffer frame(byte[] body, ByteBuffer into) {
        CRC32C crc = new CRC32C();
        crc.update(body);
        return into.putInt(body.length).putInt((int) crc.getValue()).put(body);
    }

    static byte[] frame(byte[] body) {
        return frame(body, ByteBuffer.allocate(HEADER + body.length)).array();
    }

    long size() {
        return size;
    }

    Path path() {
        return path;
    }

    /** Appends the bodies without forcing. @return the offset of each entry */
    long[] append(List<byte[]> bodies) throws IOException {
        int total = 0;
        for (byte[] b : bodies) {
            total += HEADER + b.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(total);
        long[] offsets = new long[bodies.size()];
        long position = size;
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = position;
            frame(bodies.get(i), buffer);
            position += HEADER + bodies.get(i).length;
        }
        buffer.flip();
        long at = size;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
        size = at;
        return offsets;
    }

    void force() throws IOException {
        // Data only: the file length is covered too on Linux (fdatasync flushes size changes needed to read the data).
        channel.force(false);
    }

    /** Reads and verifies one entry. */
    byte[] read(long offset, int frameLength) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(frameLength);
        long at = offset;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new RecordIntegrityException("entry at offset " + offset + " of " + path.getFileName() + " is cut short");
            }
            at += n;
        }
        buffer.flip();
        int length = buffer.getInt();
        int expectedCrc = buffer.getInt();
        if (length != frameLength - HEADER) {
            throw new RecordIntegrityException("entry at offset " + offset + " of " + path.getFileName() + " has a bad length");
        }
        byte[] body = new byte[length];
        buffer.get(body);
        CRC32C crc = new CRC32C();
        crc.update(body);
        if ((int) crc.getValue() != expectedCrc) {
            throw new RecordIntegrityException("entry at offset " + offset + " of " + path.getFileName() + " fails its checksum (corrupted or tampered)");
        }
        return body;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
