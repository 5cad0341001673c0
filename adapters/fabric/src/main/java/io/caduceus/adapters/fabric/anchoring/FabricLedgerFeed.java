package io.caduceus.adapters.fabric.anchoring;

import io.caduceus.adapters.fabric.BlockEventFollower;
import io.caduceus.adapters.fabric.FabricConnection;
import io.caduceus.ingest.ledger.LedgerException;
import io.caduceus.bridge.AnchoringLog;
import io.caduceus.bridge.AppendResult;
import io.caduceus.bridge.anchoring.AnchorLatency;
import io.caduceus.bridge.anchoring.CommittedPosition;
import io.caduceus.bridge.anchoring.FeedConflicts;
import io.caduceus.bridge.anchoring.LedgerFeed;
import io.caduceus.core.domain.LedgerEntry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hyperledger.fabric.client.Checkpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the anchoring log from what the Fabric channel committed: the entries of every VALID {@code PutEntries}
 * transaction, in block order, appended together with {@code fabric:<block>:<transaction id>} as the log's position.
 * The position is the checkpoint: it is made durable with the entries in one step, and a restarted feed asks the peer
 * for the events after it, so the log and the feed cannot disagree. The log keeps the first entry of each record id;
 * an identical repeat (a batch committed twice) is skipped, a different commitment is a conflict, refused and shown.
 */
final class FabricLedgerFeed implements LedgerFeed {

    private static final Logger LOG = LoggerFactory.getLogger(FabricLedgerFeed.class);

    /** Opens an event follower on the channel; {@link FabricConnection#eventFollower} in production. */
    @FunctionalInterface
    interface Followers {
        BlockEventFollower follow(BlockEventFollower.Progress progress, BlockEventFollower.Listener listener);
    }

    private final AnchoringLog log;
    private final String channel;
    private final Followers followers;
    private final FeedConflicts conflicts = new FeedConflicts();
    private final AnchorLatency latency;
    private volatile BlockEventFollower follower;
    private volatile long lastBlock = -1;
    private volatile boolean closed;

    FabricLedgerFeed(AnchoringLog log, FabricConnection connection, AnchorLatency latency) {
        this(log, connection.config().channel(), connection::eventFollower, latency);
    }

    FabricLedgerFeed(AnchoringLog log, String channel, Followers followers, AnchorLatency latency) {
        this.log = log;
        this.latency = latency;
        this.channel = channel;
        this.followers = followers;
    }

    @Override
    public synchronized void start() {
        if (closed) {
            return;
        }
        Checkpoint from = checkpoint(log.position());
        follower = followers.follow(BlockEventFollower.Progress.keptBy(() -> checkpoint(log.position())),
                this::append);
        follower.start();
        LOG.info("anchoring feed follows committed ledger entries on channel {} from {}", channel,
                from.getBlockNumber().isPresent() ? "block " + from.getBlockNumber().getAsLong() : "the channel's start");
    }

    /**
     * The log's position as a checkpoint. A log filled by the Kafka feed before Fabric was configured starts at the
     * channel's first block: everything the channel holds is offered, and what the log already has is skipped.
     */
    static Checkpoint checkpoint(Optional<String> position) {
        Optional<Map.Entry<Long, String>> origin = position.flatMap(CommittedPosition::origin);
        if (origin.isEmpty()) {
            return BlockEventFollower.Progress.NONE;
        }
        String transaction = origin.get().getValue();
        return BlockEventFollower.Progress.at(origin.get().getKey(), transaction.isEmpty() ? null : transaction);
    }

    void append(long block, String transactionId, List<LedgerEntry> entries) {
        AppendResult result = log.append(entries, CommittedPosition.of(block, transactionId), block + 1);
        conflicts.record(result, "Fabric block " + block + ", transaction " + transactionId);
        if (result.appended() > 0) {
            latency.appended(result.head().size(), entries);
        }
        lastBlock = block;
    }

    @Override
    public synchronized void restartIfStopped() {
        BlockEventFollower f = follower;
        if (closed || f == null || f.failure().isEmpty()) {
            return;
        }
        LOG.warn("anchoring feed stopped ({}); following again from the log's position",
                f.failure().map(LedgerException::getMessage).orElse(""));
        f.close();
        start();
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("source", "fabric");
        out.put("channel", channel);
        out.put("position", log.position().orElse(null));
        out.put("lastBlock", lastBlock < 0 ? null : lastBlock);
        out.put("conflicts", conflicts.count());
        out.put("latestConflicts", conflicts.latest());
        BlockEventFollower f = follower;
        out.put("problem", f == null ? "not started" : f.failure().map(LedgerException::getMessage).orElse(null));
        return out;
    }

    @Override
    public synchronized void close() {
        closed = true;
        BlockEventFollower f = follower;
        if (f != null) {
            try {
                f.stop(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
