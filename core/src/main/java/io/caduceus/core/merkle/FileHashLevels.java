package io.caduceus.core.merkle;

import io.caduceus.core.hash.Digest;
import io.caduceus.core.io.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Levels in one file each ({@code level-00.hashes}, ...), 32 bytes per hash, so a log of 10 million leaves needs about
 * 640 MB of disk and a few hundred KB of heap. Recent hashes sit in a small write buffer per level, because appends
 * and the pair completions they cause always touch the right edge of the tree.
 *
 * <p>Durability is by checkpoint: {@link #checkpoint} forces every level and then atomically replaces the
 * {@code checkpoint} file with the size and root. On open everything past the last checkpoint is cut off and the
 * checkpointed root is recomputed; a mismatch means the files were damaged and the log refuses to open rather than
 * prove anything from them.
 */
final class FileHashLevels implements HashLevels {

    private static final int HASH = Digest.LENGTH;
    private static final int BUFFERED_HASHES = 2048;
    private static final String CHECKPOINT = "checkpoint";

    private final Path directory;
    private final List<LevelFile> levels = new ArrayList<>();

    private FileHashLevels(Path directory) {
        this.directory = directory;
    }

    /** Opens or creates a log directory and returns the levels together with the checkpointed head. */
    static FileHashLevels open(Path directory) {
        try {
            Files.createDirectories(directory);
            FileHashLevels store = new FileHashLevels(directory);
            TreeHead checkpoint = store.readCheckpoint();
            store.restoreTo(checkpoint.size());
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the Merkle log in " + directory, e);
        }
    }

    TreeHead readCheckpoint() throws IOException {
        Path file = directory.resolve(CHECKPOINT);
        if (!Files.exists(file)) {
            return new TreeHead(0, MerkleHashing.EMPTY_ROOT);
        }
        String[] parts = Files.readString(file, StandardCharsets.US_ASCII).strip().split(" ");
        if (parts.length != 2) {
            throw new MerkleLogCorruptedException("checkpoint file of " + directory + " is malformed");
        }
        return new TreeHead(Long.parseLong(parts[0]), Digest.fromHex(parts[1]));
    }

    private void restoreTo(long size) throws IOException {
        for (int level = 0; (size >> level) > 0 || Files.exists(levelPath(level)); level++) {
            long expected = size >> level;
            LevelFile file = levelFile(level);
            if (file.written < expected) {
                throw new MerkleLogCorruptedException("level " + level + " of " + directory + " holds " + file.written
                        + " hashes but the checkpoint needs " + expected);
            }
            if (file.written > expected) {
                // Appended after the last checkpoint and never made durable as a whole: the writer re-appends it.
                file.channel.truncate(expected * HASH);
                file.written = expected;
            }
        }
    }

    @Override
    public long count(int level) {
        return level < levels.size() ? levels.get(level).count() : 0;
    }

    @Override
    public Digest get(int level, long index) {
        return levels.get(level).get(index);
    }

    @Override
    public void append(int level, Digest hash) {
        levelFile(level).append(hash);
    }

    @Override
    public void checkpoint(TreeHead head) {
        try {
            for (LevelFile level : levels) {
                level.force();
            }
            DurableFiles.replace(directory.resolve(CHECKPOINT),
                    (head.size() + " " + head.root().hex() + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot checkpoint the Merkle log in " + directory, e);
        }
    }

    @Override
    public void close() {
        for (LevelFile level : levels) {
            level.close();
        }
        levels.clear();
    }

    private LevelFile levelFile(int level) {
        while (levels.size() <= level) {
            levels.add(new LevelFile(levelPath(levels.size())));
        }
        return levels.get(level);
    }

    private Path levelPath(int level) {
        return directory.resolve(String.format("level-%02d.hashes", level));
    }

    private static final class LevelFile {

        private final FileChannel channel;
        private final byte[] buffer = new byte[BUFFERED_HASHES * HASH];
        private long written;
        private int buffered;

        LevelFile(Path path) {
            try {
                channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                long bytes = channel.size();
                written = bytes / HASH;
                if (bytes % HASH != 0) {
                    channel.truncate(written * HASH); // a torn write of the last hash
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open " + path, e);
            }
        }

        long count() {
            return written + buffered;
        }

        void append(Digest hash) {
            if (buffered == BUFFERED_HASHES) {
                spill();
            }
            hash.copyTo(buffer, buffered * HASH);
            buffered++;
        }

        Digest get(long index) {
            if (index >= written) {
                int slot = Math.toIntExact(index - written);
                if (slot >= buffered) {
                    throw new IndexOutOfBoundsException("hash " + index + " not yet appended");
                }
                byte[] out = new byte[HASH];
                System.arraycopy(buffer, slot * HASH, out, 0, HASH);
                return Digest.of(out);
            }
            ByteBuffer out = ByteBuffer.allocate(HASH);
            try {
                long position = index * HASH;
                while (out.hasRemaining()) {
                    if (channel.read(out, position + out.position()) < 0) {
                        throw new MerkleLogCorruptedException("level file ends before hash " + index);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the Merkle log", e);
            }
            return Digest.of(out.array());
        }

        void spill() {
            try {
                ByteBuffer data = ByteBuffer.wrap(buffer, 0, buffered * HASH);
                long position = written * HASH;
                while (data.hasRemaining()) {
                    position += channel.write(data, position);
                }
                written += buffered;
                buffered = 0;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the Merkle log", e);
            }
        }

        void force() throws IOException {
            spill();
            channel.force(false);
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close the Merkle log", e);
            }
        }
    }
}
