package io.caduceus.adapters.fabric;

import io.caduceus.ingest.ledger.LedgerException;
import io.caduceus.core.domain.LedgerEntry;
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
 * Follows the RecordRegistry's {@code EntriesCommitted} events and hands the entries of each to a {@link Listener},
 * resuming after the last event handled, as a {@link Progress} remembers it.
 *
 * <p>Delivery is at least once: progress is recorded after the listener returns (or by the listener itself, together
 * with what it stores), so an event being handled when the process dies is delivered again. The event stream is long-lived and so has no deadline; a stream that breaks
 * with a retriable failure is reopened from the checkpoint after a backoff, while a permanent one (no access, no such
 * channel) stops the follower and is reported by {@link #failure()}.
 */
public final class BlockEventFollower implements AutoCloseable {

    static final String EVENT_ENTRIES_COMMITTED = "EntriesCommitted";

    private static final System.Logger LOG = System.getLogger(BlockEventFollower.class.getName());

    /** Receives committed entries, in ledger order. Called on the follower's thread. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param entries the entries of one VALID {@code PutEntries} transaction, sorted by record id; the same record
         *     id may have come in earlier transactions, with the same or (refused by whoever keeps the first) another
         *     commitment
         */
        void entriesCommitted(long blockNumber, String transactionId, List<LedgerEntry> entries);
    }

    /** Where the event stream resumes after a (re)connect, and how a handled event is recorded. */
    public interface Progress {
        /** The last event handled; empty block number: nothing handled yet. Asked at every (re)connect. */
        Checkpoint checkpoint();

        /** Called after the listener returned for {@code event}. */
        void handled(ChaincodeEvent event) throws IOException;

        /** Progress kept by the listener itself, atomically with what it stores: nothing to record here. */
        static Progress keptBy(java.util.function.Supplier<Checkpoint> listenerState) {
            Objects.requireNonNull(listenerState, "listenerState");
            return new Progress() {
                @Override
                public Checkpoint checkpoint() {
                    return listenerState.get();
                }

                @Override
                public void handled(ChaincodeEvent event) {
                }
            };
        }

        /** A checkpoint of its own. */
        static Checkpoint at(long blockNumber, String transactionId) {
            return new Checkpoint() {
                @Override
                public OptionalLong getBlockNumber() {
                    return OptionalLong.of(blockNumber);
                }

                @Override
                public Optional<String> getTransactionId() {
                    return Optional.ofNullable(transactionId);
                }
            };
        }

        /** Nothing handled yet. */
        Checkpoint NONE = new Checkpoint() {
            @Override
            public OptionalLong getBlockNumber() {
                return OptionalLong.empty();
            }

            @Override
            public Optional<String> getTransactionId() {
                return Optional.empty();
            }
        };
    }

    /** Opens a chaincode event stream positioned after a checkpoint; the seam between this class and the Gateway. */
    @FunctionalInterface
    interface EventSource {
        CloseableIterator<ChaincodeEvent> open(Checkpoint checkpoint, long startBlockWithoutCheckpoint);
    }

    private final EventSource source;
    private final Path checkpointFile;
    private final Progress progress;
    private final Listener listener;
    private final Duration reconnectBackoff;
    private final long startBlockWithoutCheckpoint;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private volatile boolean running;
    private volatile CloseableIterator<ChaincodeEvent> current;
    private volatile LedgerException failure;
    private Thread thread;

    static EventSource source(Network network, String chaincode) {
        return (checkpoint, startBlock) -> network.newChaincodeEventsRequest(chaincode)
                .startBlock(startBlock)
                .checkpoint(checkpoint)
                .build()
                .getEvents();
    }

    /**
     * @param checkpointFile where progress is kept (a Gateway {@link FileCheckpointer}), or null when {@code progress}
     *     keeps it
     * @param startBlockWithoutCheckpoint where a follower with no checkpoint yet starts; 0 replays the channel
     */
    BlockEventFollower(EventSource source, Path checkpointFile, Listener listener, Duration reconnectBackoff,
            long startBlockWithoutCheckpoint) {
        this(source, Objects.requireNonNull(checkpointFile, "checkpointFile"), null, listener, reconnectBackoff,
                startBlockWithoutCheckpoint);
    }

    BlockEventFollower(EventSource source, Progress progress, Listener listener, Duration reconnectBackoff) {
        this(source, null, Objects.requireNonNull(progress, "progress"), listener, reconnectBackoff, 0);
    }

    private BlockEventFollower(EventSource source, Path checkpointFile, Progress progress, Listener listener,
            Duration reconnectBackoff, long startBlockWithoutCheckpoint) {
        this.source = Objects.requireNonNull(source, "source");
        this.checkpointFile = checkpointFile;
        this.progress = progress;
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
        try (FileCheckpointer file = checkpointFile == null ? null : new FileCheckpointer(checkpointFile)) {
            Progress checkpointer = file == null ? progress : new Progress() {
                @Override
                public Checkpoint checkpoint() {
                    return file;
                }

                @Override
                public void handled(ChaincodeEvent event) throws IOException {
                    file.checkpointChaincodeEvent(event);
                }
            };
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
                            describe(checkpointer.checkpoint().getBlockNumber()), classified.getMessage());
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

    private void follow(Progress checkpointer) throws IOException {
        try (CloseableIterator<ChaincodeEvent> events = source.open(checkpointer.checkpoint(),
                startBlockWithoutCheckpoint)) {
            current = events;
            if (!running) {
                return;
            }
            while (running && events.hasNext()) {
                ChaincodeEvent event = events.next();
                if (EVENT_ENTRIES_COMMITTED.equals(event.getEventName())) {
                    listener.entriesCommitted(event.getBlockNumber(), event.getTransactionId(),
                            entries(event.getPayload(), event.getTransactionId()));
                }
                // Only after the listener returned: a crash in between replays the event instead of skipping it.
                checkpointer.handled(event);
            }
        } finally {
            current = null;
        }
    }

    /**
     * The {@code entries} of an {@code EntriesCommitted} payload, each checked as core checks any ledger entry. A
     * payload that cannot be read stops the follower: both orgs endorsed it, so it is not noise to skip but a chaincode
     * this adapter does not understand.
     */
    static List<LedgerEntry> entries(byte[] payload, String transactionId) {
        try {
            if (CanonicalJson.parse(new String(payload, StandardCharsets.UTF_8)) instanceof Map<?, ?> map
                    && map.get("entries") instanceof List<?> items) {
                List<LedgerEntry> out = new ArrayList<>(items.size());
                for (Object item : items) {
                    if (!(item instanceof Map<?, ?> fields)) {
                        throw new IllegalArgumentException("an entry is not a JSON object");
                    }
                    out.add(LedgerEntry.fromJsonMap(fields));
                }
                return List.copyOf(out);
            }
        } catch (IllegalArgumentException e) {
            // reported below; the payload itself is not echoed
        }
        throw new IllegalStateException("EntriesCommitted event of transaction " + transactionId
                + " has no readable entries");
    }

    private static String describe(OptionalLong block) {
        return block.isPresent() ? Long.toString(block.getAsLong()) : "the start";
    }
}
