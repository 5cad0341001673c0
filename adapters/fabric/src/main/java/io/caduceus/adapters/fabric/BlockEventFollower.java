package io.caduceus.adapters.fabric;

import io.caduceus.core.domain.RecordId;
import io.caduceus.core.json.CanonicalJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.client.ChaincodeEvent;
import org.hyperledger.fabric.client.Checkpoint;
import org.hyperledger.fabric.client.CloseableIterator;
import org.hyperledger.fabric.client.FileCheckpointer;
import org.hyperledger.fabric.client.GatewayRuntimeException;
import org.hyperledger.fabric.client.Network;

/**
 * Follows the RecordRegistry's {@code EntriesCommitted} events and hands each to a {@link Listener}, recording progress
 * in a file so that a restart resumes after the last event handled.
 *
 * <p>Delivery is at least once: the checkpoint is written after the listener returns, so an event being handled when
 * the process dies is delivered again. The event stream is long-lived and so has no deadline; a stream that breaks
 * with a retriable failure is reopened from the checkpoint after a backoff, while a permanent one (no access, no such
 * channel) stops the follower and is reported by {@link #failure()}.
 */
public final class BlockEventFollower implements AutoCloseable {

    static final String EVENT_ENTRIES_COMMITTED = "EntriesCommitted";

    private static final System.Logger LOG = System.getLogger(BlockEventFollower.class.getName());

    /** Receives committed entries, in block order. Called on the follower's thread. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param recordIds the record ids this transaction newly wrote (duplicates are not repeated), sorted
         */
        void entriesCommitted(long blockNumber, String transactionId, List<RecordId> recordIds);
    }

    /** Opens a chaincode event stream positioned after a checkpoint; the seam between this class and the Gateway. */
    @FunctionalInterface
    interface EventSource {
        CloseableIterator<ChaincodeEvent> open(Checkpoint checkpoint, long startBlockWithoutCheckpoint);
    }

    private final EventSource source;
    private final Path checkpointFile;
    private final Listener listener;
    private final Duration reconnectBackoff;
    private final long startBlockWithoutCheckpoint;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private volatile boolean running;
    private volatile CloseableIterator<ChaincodeEvent> current;
    private volatile LedgerException failure;
    private Thread thread;

    BlockEventFollower(Network network, String chaincode, Path checkpointFile, Listener listener) {
        this((checkpoint, startBlock) -> network.newChaincodeEventsRequest(chaincode)
                .startBlock(startBlock)
                .checkpoint(checkpoint)
                .build()
                .getEvents(), checkpointFile, listener, Duration.ofSeconds(5), 0);
    }

    /**
     * @param startBlockWithoutCheckpoint where a follower with no checkpoint yet starts; 0 replays the channel
     */
    BlockEventFollower(EventSource source, Path checkpointFile, Listener listener, Duration reconnectBackoff,
            long startBlockWithoutCheckpoint) {
        this.source = Objects.requireNonNull(source, "source");
        this.checkpointFile = Objects.requireNonNull(checkpointFile, "checkpointFile");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.reconnectBackoff = Objects.requireNonNull(reconnectBackoff, "reconnectBackoff");
        this.startBlockWithoutCheckpoint = startBlockWithoutCheckpoint;
    }

    /** Starts following on a daemon thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        running = true;
        thread = new Thread(this::run, "fabric-event-follower");
        thread.setDaemon(true);
        thread.start();
    }

    /** The failure that stopped the follower, if one did. */
    public Optional<LedgerException> failure() {
        return Optional.ofNullable(failure);
    }

    /** Stops following and waits up to {@code timeout} for the follower thread to finish its current event. */
    public boolean stop(Duration timeout) throws InterruptedException {
        running = false;
        CloseableIterator<ChaincodeEvent> events = current;
        if (events != null) {
            events.close(); // cancels the gRPC stream, which unblocks hasNext()
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            return true;
        }
        t.interrupt();
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        try {
            stop(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try (FileCheckpointer checkpointer = new FileCheckpointer(checkpointFile)) {
            while (running) {
                try {
                    follow(checkpointer);
                } catch (GatewayRuntimeException | io.grpc.StatusRuntimeException e) {
                    if (!running) {
                        break; // our own close() cancelled the stream
                    }
                    LedgerException classified = FailureClassifier.classify("ChaincodeEvents", e, null);
                    if (!classified.isRetriable()) {
                        failure = classified;
                        LOG.log(Level.ERROR, "event follower stopped: {0}", classified.getMessage());
                        break;
                    }
                    LOG.log(Level.WARNING, "event stream broke, reopening from block {0}: {1}",
                            describe(checkpointer.getBlockNumber()), classified.getMessage());
                    Thread.sleep(reconnectBackoff.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | UncheckedIOException e) {
            failure = new LedgerException(LedgerException.Kind.UNKNOWN,
                    "cannot read or write the event checkpoint " + checkpointFile, e);
            LOG.log(Level.ERROR, failure.getMessage(), e);
        } catch (RuntimeException e) {
            failure = new LedgerException(LedgerException.Kind.UNKNOWN,
                    "event listener failed: " + e.getClass().getSimpleName(), e);
            LOG.log(Level.ERROR, failure.getMessage(), e);
        } finally {
            running = false;
            stopped.countDown();
        }
    }

    private void follow(FileCheckpointer checkpointer) throws IOException {
        try (CloseableIterator<ChaincodeEvent> events = source.open(checkpointer, startBlockWithoutCheckpoint)) {
            current = events;
            if (!running) {
                return;
            }
            while (running && events.hasNext()) {
                ChaincodeEvent event = events.next();
                if (EVENT_ENTRIES_COMMITTED.equals(event.getEventName())) {
                    listener.entriesCommitted(event.getBlockNumber(), event.getTransactionId(),
                            recordIds(event.getPayload(), event.getTransactionId()));
                }
                // Only after the listener returned: a crash in between replays the event instead of skipping it.
                checkpointer.checkpointChaincodeEvent(event);
            }
        } finally {
            current = null;
        }
    }

    /** The {@code recordIds} of an {@code EntriesCommitted} payload. */
    static List<RecordId> recordIds(byte[] payload, String transactionId) {
        try {
            if (CanonicalJson.parse(new String(payload, StandardCharsets.UTF_8)) instanceof Map<?, ?> map
                    && map.get("recordIds") instanceof List<?> ids) {
                List<RecordId> out = new ArrayList<>(ids.size());
                for (Object id : ids) {
                    out.add(new RecordId(String.valueOf(id)));
                }
                return List.copyOf(out);
            }
        } catch (IllegalArgumentException e) {
            // reported below; the payload itself is not echoed
        }
        throw new IllegalStateException("EntriesCommitted event of transaction " + transactionId
                + " has no readable recordIds");
    }

    private static String describe(OptionalLong block) {
        return block.isPresent() ? Long.toString(block.getAsLong()) : "the start";
    }
}
