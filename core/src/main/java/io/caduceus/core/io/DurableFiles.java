package io.caduceus.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Small state files that must survive a crash at any instant: replaced whole (write a temporary file, force it,
 * rename it over the old one, force the folder), or appended to a line at a time with a torn last line cut on reading.
 * The Merkle log's checkpoint, the anchorer's state and receipts and the FHIR poller's checkpoints all use these.
 */
public final class DurableFiles {

    private static final boolean WINDOWS = System.getProperty("os.name", "").startsWith("Windows");

    private DurableFiles() {
    }

    /** Replaces {@code target} with {@code content}: after a crash it holds either the old or the new bytes. */
    public static void replace(Path target, byte[] content) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path temp = folder.resolve(target.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(channel, content);
            channel.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Within one folder a rename is atomic on every file system this runs on; some refuse to promise it.
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        forceFolder(folder);
    }

    /** Appends one line (a newline is added) and forces it to disk before returning. */
    public static void appendLine(Path file, String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            writeFully(channel, bytes);
            channel.force(false);
        }
    }

    /**
     * The complete lines of a file written by {@link #appendLine}, without the empty ones; a last line a crash left
     * without its newline was never acknowledged, so it is cut from the file here. A missing file has no lines.
     */
    public static List<String> readCompleteLines(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        if (!Files.exists(file)) {
            return lines;
        }
        byte[] bytes = Files.readAllBytes(file);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        if (end < bytes.length) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(end);
                channel.force(true);
            }
        }
        for (String line : new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        return lines;
    }

    /**
     * Makes a file creation or rename in {@code folder} durable: on POSIX the folder entry needs its own fsync.
     *
     * @throws IOException if the folder could not be forced (not on Windows): the new entry may not survive a crash,
     *                     so the caller must not report it durable
     */
    public static void forceFolder(Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Windows cannot open a folder as a channel: there a rename is as durable as the platform makes it.
            if (!WINDOWS) {
                throw e;
            }
        }
    }

    private static void writeFully(FileChannel channel, byte[] content) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
