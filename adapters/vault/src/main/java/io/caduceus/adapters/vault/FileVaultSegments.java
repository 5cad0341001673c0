package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.RecordIntegrityException;
import io.caduceus.core.io.DurableFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The file vault's segment files, {@code NNNNNNNNNN.seg}: appended to by the writer thread only, with one fsync per
 * file a batch touches, rolled at a size so that no file grows without bound, never rewritten; read by any thread.
 */
final class FileVaultSegments implements Closeable {

    /** Told each entry of a segment as it is opened. */
    @FunctionalInterface
    interface Replay {
        void entry(int segment, long offset, int length, byte[] body, boolean intact) throws IOException;
    }

    private final Path directory;
    private final long maxSegmentBytes;
    private final Map<Integer, EntryLog> segments = new ConcurrentHashMap<>();
    /** Written by the writer thread only. */
    private int active;

    FileVaultSegments(Path directory, long maxSegmentBytes) {
        this.directory = directory;
        this.maxSegmentBytes = maxSegmentBytes;
    }

    /** Opens every segment, oldest first, handing each entry to {@code replay}; creates the first on a new vault. */
    void open(Replay replay) throws IOException {
        List<Integer> ids;
        try (Stream<Path> files = Files.list(directory)) {
            ids = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("\\d{10}\\.seg"))
                    .map(n -> Integer.parseInt(n.substring(0, 10)))
                    .sorted()
                    .toList();
        }
        for (int i = 0; i < ids.size(); i++) {
            int id = ids.get(i);
            boolean newest = i == ids.size() - 1;
            // Older segments were forced before the next one was created, so only the newest can have a torn tail.
            segments.put(id, EntryLog.open(path(id),
                    (offset, length, body, intact) -> replay.entry(id, offset, length, body, intact), newest));
        }
        active = ids.isEmpty() ? 1 : ids.get(ids.size() - 1);
        if (ids.isEmpty()) {
            segments.put(active, EntryLog.open(path(active), (o, l, b, i) -> { }, true));
            DurableFiles.forceFolder(directory);
        }
    }

    /** Writer thread: appends the bodies in order and forces every file written; where each one landed. */
    List<FileRecordVault.Location> appendAndForce(List<byte[]> bodies) throws IOException {
        List<FileRecordVault.Location> locations = new ArrayList<>(bodies.size());
        List<byte[]> chunk = new ArrayList<>();
        EntryLog segment = segments.get(active);
        long chunkBytes = 0;
        for (byte[] body : bodies) {
            long frame = EntryLog.HEADER + body.length;
            if (segment.size() + chunkBytes > 0 && segment.size() + chunkBytes + frame > maxSegmentBytes) {
                writeChunk(segment, chunk, locations);
                chunk.clear();
                chunkBytes = 0;
                segment.force(); // an older segment is complete and durable before a newer one exists
                segment = roll();
            }
            chunk.add(body);
            chunkBytes += frame;
        }
        writeChunk(segment, chunk, locations);
        segment.force();
        return locations;
    }

    /** The entry's body, checksum verified. */
    byte[] read(FileRecordVault.Location at) throws IOException {
        EntryLog segment = segments.get(at.segment());
        if (segment == null) {
            throw new RecordIntegrityException("segment " + at.segment() + " is missing");
        }
        return segment.read(at.offset(), at.length());
    }

    Path path(int id) {
        return directory.resolve(String.format("%010d.seg", id));
    }

    /** Closes every segment, even after one fails to close; throws the first failure. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (EntryLog segment : segments.values()) {
            try {
                segment.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void writeChunk(EntryLog segment, List<byte[]> chunk, List<FileRecordVault.Location> locations)
            throws IOException {
        if (chunk.isEmpty()) {
            return;
        }
        long[] offsets = segment.append(chunk);
        for (int i = 0; i < offsets.length; i++) {
            locations.add(new FileRecordVault.Location(active, offsets[i], EntryLog.HEADER + chunk.get(i).length));
        }
    }

    private EntryLog roll() throws IOException {
        int next = active + 1;
        EntryLog segment = EntryLog.open(path(next), (o, l, b, i) -> { }, true);
        DurableFiles.forceFolder(directory);
        segments.put(next, segment);
        active = next;
        return segment;
    }
}
