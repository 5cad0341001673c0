package io.caduceus.core.merkle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Entry point for Merkle logs. */
public final class MerkleLogs {

    private MerkleLogs() {
    }

    /** A log on the heap, gone when the process ends. */
    public static MerkleLog inMemory() {
        return new LevelledMerkleLog(new MemoryHashLevels());
    }

    /**
     * Opens (or creates) a durable log in {@code directory}. Appends become durable at {@link MerkleLog#flush()};
     * after a crash the log reopens at its last flushed size, with its root checked against the recorded one.
     *
     * @throws MerkleLogCorruptedException if the files do not reproduce the checkpointed root
     */
    public static MerkleLog open(Path directory) {
        FileHashLevels levels = FileHashLevels.open(directory);
        LevelledMerkleLog log = new LevelledMerkleLog(levels);
        try {
            TreeHead checkpoint = levels.readCheckpoint();
            if (!log.root(checkpoint.size()).equals(checkpoint.root())) {
                log.close();
                throw new MerkleLogCorruptedException("the Merkle log in " + directory + " does not reproduce its checkpointed root at size "
                        + checkpoint.size());
            }
        } catch (IOException e) {
            log.close();
            throw new UncheckedIOException("cannot read the checkpoint of " + directory, e);
        }
        return log;
    }
}
