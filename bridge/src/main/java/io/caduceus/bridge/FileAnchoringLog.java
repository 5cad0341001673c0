package io.caduceus.bridge;

import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.merkle.ConsistencyProof;
import io.caduceus.core.merkle.InclusionProof;
import io.caduceus.core.merkle.MerkleHashing;
import io.caduceus.core.merkle.MerkleLog;
import io.caduceus.core.merkle.MerkleLogs;
import io.caduceus.core.merkle.TreeHead;
import io.caduceus.core.offheap.ScratchArrays;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@link AnchoringLog} in three stores under one directory:
 * <ul>
 * <li>{@code merkle/}: the durable {@link MerkleLog}; its checkpoint (written by {@link MerkleLog#flush()}) is the
 * single source of truth for how many leaves exist;</li>
 * <li>{@code commitments}: the 32 commitment bytes of leaf {@code i} at offset {@code 32 i}, because the Merkle log
 * keeps only leaf hashes and a proof bundle needs the commitment itself;</li>
 * <li>{@code journal}: per append, one line per new leaf with its record id, then a commit line
 * {@code C <size> <fabric height> <root hex> <base64url position>}. Leaf indexes are implicit (the running count).</li>
 * </ul>
 *
 * <p>An append writes and forces the commitments and the journal batch first, then flushes the Merkle log. The Merkle
 * flush is the commit: on open, journal batches whose size exceeds the Merkle checkpoint and commitments beyond it are
 * cut off, so a crash anywhere leaves the index, the commitments and the position exactly at the Merkle log's size.
 * The position of the last batch kept is the one the feed resumes from, and its entries are then all in the index,
 * so nothing is appended twice. The reverse gap (Merkle log ahead of the journal) cannot come from a crash and is
 * reported as corruption.
 */
final class FileAnchoringLog implements AnchoringLog {

    private static final System.Logger LOG = System.getLogger(FileAnchoringLog.class.getName());
    private static final int HASH = Digest.LENGTH;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final Path directory;
    private final MerkleLog merkle;
    private final FileChannel commitments;
    private final FileChannel journal;
    private final LeafIndex index;
    private final CommitLines commits;

    // Guarded by this: the durable state mirrored in memory.
    private long size;
    private Optional<String> position;
    private long fabricBlockHeight;
    private boolean broken;

    private FileAnchoringLog(Path directory, MerkleLog merkle, FileChannel commitments, FileChannel journal,
                             LeafIndex index, CommitLines commits, long size, Optional<String> position,
                             long fabricBlockHeight) {
        this.commits = commits;
        this.directory = directory;
        this.merkle = merkle;
        this.commitments = commitments;
        this.journal = journal;
        this.index = index;
        this.size = size;
        this.position = position;
        this.fabricBlockHeight = fabricBlockHeight;
    }

    static FileAnchoringLog open(Path directory) {
        MerkleLog merkle = null;
        FileChannel commitments = null;
        FileChannel journal = null;
        Replay replay = null;
        try {
            Files.createDirectories(directory);
            merkle = MerkleLogs.open(directory.resolve("merkle"));
            long size = merkle.size();
            commitments = FileChannel.open(directory.resolve("commitments"), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (commitments.size() < size * HASH) {
                throw new BridgeStateCorruptedException("commitments of " + directory + " hold "
                        + commitments.size() / HASH + " leaves, the Merkle log " + size);
            }
            if (commitments.size() > size * HASH) {
                commitments.truncate(size * HASH);
            }
            journal = FileChannel.open(directory.resolve("journal"), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            replay = replay(journal, size, directory);
            if (replay.committedSize != size) {
                throw new BridgeStateCorruptedException("the journal of " + directory + " ends at size "
                        + replay.committedSize + " but the Merkle log holds " + size + " leaves");
            }
            if (replay.root != null && !replay.root.equals(merkle.root(size))) {
                throw new BridgeStateCorruptedException("the journal of " + directory
                        + " names another root at size " + size + " than the Merkle log");
            }
            if (journal.size() > replay.committedBytes) {
                LOG.log(System.Logger.Level.INFO, "cut " + (journal.size() - replay.committedBytes)
                        + " journal bytes past the durable size " + size + " in " + directory);
                journal.truncate(replay.committedBytes);
                journal.force(true);
            }
            journal.position(replay.committedBytes);
            return new FileAnchoringLog(directory, merkle, commitments, journal, replay.index, replay.commits, size,
                    replay.position, replay.fabricBlockHeight);
        } catch (IOException e) {
            closeQuietly(merkle, commitments, journal);
            closeIndex(replay);
            throw new UncheckedIOException("cannot open the anchoring log in " + directory, e);
        } catch (RuntimeException e) {
            closeQuietly(merkle, commitments, journal);
            closeIndex(replay);
            throw e;
        }
    }

    private static void closeIndex(Replay replay) {
        if (replay != null && replay.index != null) {
            replay.index.close();
        }
    }

    private static final class Replay {
        final CommitLines commits = new CommitLines();
        LeafIndex index;
        long committedSize;
        long committedBytes;
        Optional<String> position = Optional.empty();
        long fabricBlockHeight;
        Digest root;
    }

    /** Rebuilds the index from the journal's committed batches up to {@code durableSize} leaves. */
    private static Replay replay(FileChannel journal, long durableSize, Path directory) throws IOException {
        Replay replay = new Replay();
        replay.index = new LeafIndex(ScratchArrays.mapped(directory.resolve("index")),
                (int) Math.min(Integer.MAX_VALUE / 2, durableSize));
        List<RecordId> batch = new ArrayList<>();
        long offset = 0;
        journal.position(0);
        InputStream in = new BufferedInputStream(Channels.newInputStream(journal), 1 << 16);
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) >= 0) {
            offset++;
            if (b != '\n') {
                line.write(b);
                continue;
            }
            String text = line.toString(StandardCharsets.US_ASCII);
            line.reset();
            if (text.startsWith("C ")) {
                String[] parts = text.split(" ", -1);
                if (parts.length != 5) {
                    throw new BridgeStateCorruptedException("malformed commit line in the journal of " + directory);
                }
                long batchSize = Long.parseLong(parts[1]);
                if (batchSize != replay.committedSize + batch.size()) {
                    throw new BridgeStateCorruptedException("journal batch of " + directory + " ending at "
                            + batchSize + " does not follow size " + replay.committedSize);
                }
                if (batchSize > durableSize) {
                    break; // written, but the Merkle log never committed it: the feed sends it again
                }
                for (RecordId id : batch) {
                    replay.index.put(id, replay.committedSize++);
                }
                batch.clear();
                replay.fabricBlockHeight = Long.parseLong(parts[2]);
                replay.root = Digest.fromHex(parts[3]);
                replay.position = Optional.of(new String(B64D.decode(parts[4]), StandardCharsets.UTF_8));
                replay.commits.add(batchSize, offset - text.length() - 1);
                replay.committedBytes = offset;
            } else {
                batch.add(new RecordId(text));
            }
        }
        return replay;
    }

    @Override
    public synchronized AppendResult append(List<LedgerEntry> entries, String sourcePosition, long height) {
        if (broken) {
            throw new BridgeException("an earlier append to " + directory + " failed half-way; reopen the log");
        }
        if (height < 0) {
            throw new IllegalArgumentException("fabric block height must not be negative");
        }
        List<LedgerEntry> fresh = new ArrayList<>(entries.size());
        Map<RecordId, Digest> inBatch = new HashMap<>();
        List<RecordId> conflicts = new ArrayList<>();
        for (LedgerEntry entry : entries) {
            long leaf = index.get(entry.recordId());
            Digest first = leaf >= 0 ? commitment(leaf) : inBatch.putIfAbsent(entry.recordId(), entry.commitment());
            if (first == null) {
                fresh.add(entry);
            } else if (!first.equals(entry.commitment())) {
                conflicts.add(entry.recordId());
            }
        }
        long newSize = size + fresh.size();
        try {
            // From here until the Merkle flush the in-memory log may be ahead of the files: any failure leaves it
            // unusable until reopened, which cuts everything back to the last commit.
            broken = true;
            ByteBuffer leaves = ByteBuffer.allocate(fresh.size() * HASH);
            StringBuilder lines = new StringBuilder(fresh.size() * 36 + 160);
            for (LedgerEntry entry : fresh) {
                byte[] commitment = entry.commitment().toBytes();
                leaves.put(commitment);
                merkle.append(commitment);
                lines.append(entry.recordId().value()).append('\n');
            }
            Digest root = merkle.root(newSize);
            long commitLineAt = journal.position() + lines.toString().getBytes(StandardCharsets.UTF_8).length;
            lines.append("C ").append(newSize).append(' ').append(height).append(' ').append(root.hex()).append(' ')
                    .append(B64.encodeToString(sourcePosition.getBytes(StandardCharsets.UTF_8))).append('\n');
            leaves.flip();
            long at = size * HASH;
            while (leaves.hasRemaining()) {
                at += commitments.write(leaves, at);
            }
            ByteBuffer journalBytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
            while (journalBytes.hasRemaining()) {
                journal.write(journalBytes);
            }
            commitments.force(false);
            journal.force(false);
            merkle.flush(); // the commit point
            for (LedgerEntry entry : fresh) {
                index.put(entry.recordId(), size++);
            }
            commits.add(newSize, commitLineAt);
            position = Optional.of(sourcePosition);
            fabricBlockHeight = height;
            broken = false;
            return new AppendResult(fresh.size(), entries.size() - fresh.size() - conflicts.size(), conflicts,
                    new TreeHead(newSize, root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the anchoring log in " + directory, e);
        }
    }

    @Override
    public synchronized Optional<String> position() {
        return position;
    }

    @Override
    public synchronized long fabricBlockHeight() {
        return fabricBlockHeight;
    }

    @Override
    public synchronized OptionalLong leafIndex(RecordId recordId) {
        long leaf = index.get(recordId);
        return leaf < 0 ? OptionalLong.empty() : OptionalLong.of(leaf);
    }

    @Override
    public synchronized Optional<String> positionOf(long leafIndex) {
        if (leafIndex < 0 || leafIndex >= size) {
            return Optional.empty();
        }
        long lineAt = commits.lineOfAppendHolding(leafIndex);
        try {
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            StringBuilder line = new StringBuilder();
            long at = lineAt;
            while (true) {
                buffer.clear();
                int read = journal.read(buffer, at);
                if (read <= 0) {
                    throw new BridgeStateCorruptedException("the journal of " + directory + " ends inside a commit line");
                }
                at += read;
                String chunk = new String(buffer.array(), 0, read, StandardCharsets.US_ASCII);
                int newline = chunk.indexOf('\n');
                line.append(newline < 0 ? chunk : chunk.substring(0, newline));
                if (newline >= 0) {
                    break;
                }
            }
            String[] parts = line.toString().split(" ", -1);
            if (parts.length != 5 || !parts[0].equals("C")) {
                throw new BridgeStateCorruptedException("no commit line where the index of " + directory + " says");
            }
            return Optional.of(new String(B64D.decode(parts[4]), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the journal of " + directory, e);
        }
    }

    /**
     * Per durable append, the size it ended at and where its commit line starts in the journal: 16 bytes per append
     * (a Fabric transaction carries up to 1,000 entries), so a leaf's origin is a binary search and one read.
     */
    private static final class CommitLines {
        private long[] endSizes = new long[64];
        private long[] lineOffsets = new long[64];
        private int count;

        void add(long endSize, long lineOffset) {
            if (count == endSizes.length) {
                endSizes = java.util.Arrays.copyOf(endSizes, count * 2);
                lineOffsets = java.util.Arrays.copyOf(lineOffsets, count * 2);
            }
            endSizes[count] = endSize;
            lineOffsets[count++] = lineOffset;
        }

        /** The commit line of the first append whose end size exceeds {@code leafIndex}. */
        long lineOfAppendHolding(long leafIndex) {
            int low = 0;
            int high = count - 1;
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (endSizes[mid] > leafIndex) {
                    high = mid;
                } else {
                    low = mid + 1;
                }
            }
            return lineOffsets[low];
        }
    }

    @Override
    public Digest commitment(long leafIndex) {
        if (leafIndex < 0 || leafIndex >= size()) {
            throw new IndexOutOfBoundsException("leaf " + leafIndex + " of " + size());
        }
        ByteBuffer buffer = ByteBuffer.allocate(HASH);
        try {
            long at = leafIndex * HASH;
            while (buffer.hasRemaining()) {
                int read = commitments.read(buffer, at + buffer.position());
                if (read < 0) {
                    throw new BridgeStateCorruptedException("commitment of leaf " + leafIndex + " is missing");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read commitment of leaf " + leafIndex, e);
        }
        Digest commitment = Digest.of(buffer.array());
        // Cheap, and keeps a damaged commitments file from ever producing a bundle that names the wrong commitment.
        if (!MerkleHashing.leafHash(commitment.toBytes()).equals(merkle.leafHash(leafIndex))) {
            throw new BridgeStateCorruptedException("commitment of leaf " + leafIndex
                    + " does not hash to the Merkle log's leaf");
        }
        return commitment;
    }

    @Override
    public synchronized long size() {
        return size;
    }

    @Override
    public synchronized TreeHead head() {
        return new TreeHead(size, merkle.root(size));
    }

    @Override
    public synchronized Checkpoint checkpoint() {
        return new Checkpoint(head(), fabricBlockHeight, position);
    }

    @Override
    public Digest root(long treeSize) {
        requireDurable(treeSize);
        return merkle.root(treeSize);
    }

    @Override
    public InclusionProof inclusionProof(long leafIndex, long treeSize) {
        requireDurable(treeSize);
        return merkle.inclusionProof(leafIndex, treeSize);
    }

    @Override
    public ConsistencyProof consistencyProof(long fromSize, long toSize) {
        requireDurable(toSize);
        return merkle.consistencyProof(fromSize, toSize);
    }

    private void requireDurable(long treeSize) {
        long durable = size();
        if (treeSize < 0 || treeSize > durable) {
            throw new IllegalArgumentException("tree size " + treeSize + " is beyond the log's " + durable + " leaves");
        }
    }

    @Override
    public synchronized void close() {
        closeQuietly(merkle, commitments, journal);
        index.close();
    }

    private static void closeQuietly(MerkleLog merkle, FileChannel... channels) {
        if (merkle != null) {
            try {
                merkle.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "closing the Merkle log failed", e);
            }
        }
        for (FileChannel channel : channels) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "closing a bridge file failed", e);
                }
            }
        }
    }
}
