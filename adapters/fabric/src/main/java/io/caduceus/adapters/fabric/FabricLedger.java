package io.caduceus.adapters.fabric;

import io.caduceus.ingest.ledger.LedgerException;
import io.caduceus.ingest.ledger.LedgerWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The private ledger as the middleware uses it: the hospital writer's connection (ledger entries, consent, lookups)
 * and one per peer of the channel, whose heights are asked every few seconds off the request path so that neither
 * the status nor a health check ever waits on a peer.
 */
public final class FabricLedger implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FabricLedger.class);
    private static final long HEIGHT_PERIOD_SECONDS = 5;

    private final FabricSettings settings;
    private final FabricConnection writer;
    private final List<FabricConnection> peers;
    private final ConsentLedger consent;
    private final ScheduledExecutorService heightTimer;
    private final Map<String, Object> heights = new ConcurrentHashMap<>();
    private final List<AutoCloseable> writers = new ArrayList<>();
    private boolean closed;

    private FabricLedger(FabricSettings settings, FabricConnection writer, List<FabricConnection> peers) {
        this.settings = settings;
        this.writer = writer;
        this.peers = peers;
        this.consent = writer.consentLedger();
        this.heightTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caduceus-fabric-heights");
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens the connections (lazily: no peer needs to be up) and starts asking the peers' heights. */
    public static FabricLedger open(FabricSettings settings) {
        List<FabricConnection> opened = new ArrayList<>();
        try {
            FabricConnection writer = FabricConnection.open(settings.writer());
            opened.add(writer);
            for (FabricSettings.Peer peer : settings.peers()) {
                opened.add(FabricConnection.open(peer.gateway()));
            }
            FabricLedger ledger = new FabricLedger(settings, writer, List.copyOf(opened.subList(1, opened.size())));
            ledger.heightTimer.scheduleWithFixedDelay(ledger::refreshHeights, 0, HEIGHT_PERIOD_SECONDS,
                    TimeUnit.SECONDS);
            return ledger;
        } catch (RuntimeException e) {
            opened.forEach(FabricConnection::close);
            throw e;
        }
    }

    private void refreshHeights() {
        for (int i = 0; i < peers.size(); i++) {
            String org = settings.peers().get(i).org();
            try {
                heights.put(org, peers.get(i).ledgerWriter().blockHeight());
            } catch (LedgerException e) {
                heights.put(org, "unavailable: " + e.kind());
            } catch (RuntimeException e) {
                heights.put(org, "unavailable: " + e.getClass().getSimpleName());
            }
        }
    }

    /**
     * Starts what writes through the hospital writer's connection (the forwarders from Kafka), to be stopped before
     * that connection closes; when it cannot start, the ledger closes and the failure is thrown.
     */
    public synchronized <W extends AutoCloseable> W writeThrough(Function<LedgerWriter, W> start) {
        try {
            W writer = start.apply(ledgerWriter());
            writers.add(writer);
            return writer;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public FabricSettings settings() {
        return settings;
    }

    /** The last height each peer answered, or why it did not ({@code org@endpoint} to height or text). */
    public Map<String, Object> peerHeights() {
        Map<String, Object> peerHeights = new LinkedHashMap<>();
        for (FabricSettings.Peer peer : settings.peers()) {
            peerHeights.put(peer.org() + "@" + peer.gateway().peerEndpoint(), heights.get(peer.org()));
        }
        return peerHeights;
    }

    /** The block height the peer of this org last answered, or null when it did not (yet). */
    public Long peerHeight(String org) {
        return heights.get(org) instanceof Long height ? height : null;
    }

    /** Which peers did not answer their last height query, or null when all did. */
    public String unavailablePeers() {
        StringBuilder down = new StringBuilder();
        peerHeights().forEach((peer, height) -> {
            if (!(height instanceof Long)) {
                down.append(down.isEmpty() ? "" : "; ").append(peer).append(": ")
                        .append(height == null ? "not asked yet" : height);
            }
        });
        return down.isEmpty() ? null : down.toString();
    }

    /** Channel, chaincode and heights per peer. */
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("channel", settings.writer().channel());
        out.put("chaincode", settings.writer().chaincode());
        out.put("peerHeights", peerHeights());
        return out;
    }

    private LedgerWriter ledgerWriter() {
        return writer.ledgerWriter();
    }

    /** The hospital writer's view of the ledger, for lookups ({@code GetBatch}). */
    public FabricConnection writerConnection() {
        return writer;
    }

    /** Consent grants, through the hospital writer's identity (role writer may manage consent). */
    public ConsentLedger consentLedger() {
        return consent;
    }

    /** Stops what writes through it, then closes the connections. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        heightTimer.shutdownNow();
        for (AutoCloseable writer : writers) {
            try {
                writer.close();
            } catch (Exception e) {
                LOG.warn("a writer to the Fabric ledger did not stop cleanly: {}", e.getClass().getSimpleName());
            }
        }
        peers.forEach(FabricConnection::close);
        writer.close();
    }
}
