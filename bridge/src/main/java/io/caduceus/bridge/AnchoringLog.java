package io.caduceus.bridge;

import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.merkle.ConsistencyProof;
import io.caduceus.core.merkle.InclusionProof;
import io.caduceus.core.merkle.TreeHead;
import java.io.Closeable;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The bridge's durable Merkle log of ledger entries: one leaf per record (the 32 commitment bytes), in feed order,
 * together with where in the feed the last durable append ended, so a restarted feed resumes exactly there.
 *
 * <p>Appends are idempotent by record id: a feed replayed after a crash (from an older position) never adds a leaf
 * twice. One writer (the feed) and any number of readers (proofs, status) may use a log at once.
 */
public interface AnchoringLog extends Closeable {

    /**
     * Opens or creates the log in {@code directory} (the Merkle log goes into its {@code merkle/} subfolder).
     *
     * @throws BridgeStateCorruptedException if the files contradict each other beyond a cut-off crash
     */
    static AnchoringLog open(Path directory) {
        return FileAnchoringLog.open(directory);
    }

    /**
     * Appends the commitments of {@code entries} in order, skipping records already logged (also repeats within
     * {@code entries}), then makes the appends and {@code sourcePosition} durable as one step. An entry whose record
     * is already logged with another commitment is a conflict: the first commitment stands, and the result names it. Keeps the Fabric
     * block height of the previous append.
     */
    default AppendResult append(List<LedgerEntry> entries, String sourcePosition) {
        return append(entries, sourcePosition, fabricBlockHeight());
    }

    /**
     * As {@link #append(List, String)}, also recording the Fabric block height the log covers after these entries
     * (anchors publish it next to the root).
     */
    AppendResult append(List<LedgerEntry> entries, String sourcePosition, long fabricBlockHeight);

    /** The source position of the last durable append; empty before the first. */
    Optional<String> position();

    /** The Fabric block height recorded with the last durable append, 0 before the first. */
    long fabricBlockHeight();

    /**
     * The source position recorded with the append that added leaf {@code leafIndex} (with the Fabric feed:
     * {@code fabric:<block>:<transaction id>}, the transaction that committed the entry); empty beyond the log.
     */
    Optional<String> positionOf(long leafIndex);

    /** The leaf index of a logged record. */
    OptionalLong leafIndex(RecordId recordId);

    /** The commitment stored as leaf {@code leafIndex}. */
    Digest commitment(long leafIndex);

    /** Number of durable leaves. */
    long size();

    /** Size and root of the whole durable log. */
    TreeHead head();

    /** Head, Fabric block height and position of the last durable append, read together. */
    Checkpoint checkpoint();

    /** The durable state after one append: what an anchor publishes (head and height) and where the feed resumes. */
    record Checkpoint(TreeHead head, long fabricBlockHeight, Optional<String> position) {
    }

    /** Root of the first {@code treeSize} leaves. */
    Digest root(long treeSize);

    InclusionProof inclusionProof(long leafIndex, long treeSize);

    ConsistencyProof consistencyProof(long fromSize, long toSize);

    @Override
    void close();
}
