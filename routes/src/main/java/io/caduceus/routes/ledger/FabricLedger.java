package io.caduceus.routes.ledger;

import io.caduceus.adapters.fabric.ConsentLedger;
import io.caduceus.adapters.fabric.FabricConnection;
import io.caduceus.ingest.ledger.LedgerException;
import io.caduceus.adapters.kafka.KafkaClients;
import io.caduceus.adapters.kafka.ledger.AccessLogForwarder;
import io.caduceus.adapters.kafka.ledger.LedgerForwarder;
import io.caduceus.edge.metrics.CaduceusMetrics;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.camel.health.HealthCheckRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The private ledger inside the middleware (wiring): starts the Kafka adapter's forwarders of ledger entries and access
 * events to Fabric over the hospital writer's connection, and keeps the heights of
 * the channel's peers (asked every few seconds off the request path, so the status never waits on a peer). Bound as
 * {@code fabricLedger} when Fabric is configured; its status says so when it is not.
 */
public final class FabricLedger implements AutoCloseable, Service {

    private static final Logger LOG = LoggerFactory.getLogger(FabricLedger.class);
    public static final String BEAN = "fabricLedger";
    private static final long HEIGHT_PERIOD_SECONDS = 5;

    private final FabricSettings settings;
    private final FabricConnection writer;
    private final List<FabricConnection> peers;
    private final LedgerForwarder forwarder;
    private final AccessLogForwarder accessLog;
    private final ConsentLedger consent;
    private final ScheduledExecutorService heightTimer;
    private final Map<String, Object> heights = new ConcurrentHashMap<>();
    private boolean closed;

    private FabricLedger(FabricSettings settings, FabricConnection writer, List<FabricConnection> peers,
            KafkaClients kafka) {
        this.settings = settings;
        this.writer = writer;
        this.peers = peers;
        // Kafka to Fabric: the Kafka adapter's consumers, writing through the ledger-writer port of this connection.
        this.forwarder = new LedgerForwarder(settings.forwarding(), writer.ledgerWriter(), kafka);
        this.accessLog = new AccessLogForwarder(settings.forwarding(), writer.ledgerWriter(), kafka);
        this.consent = writer.consentLedger();
        this.heightTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caduceus-fabric-heights");
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens the connections (lazily: no peer needs to be up) and starts the forwarder; empty without Fabric. */
    public static Optional<FabricLedger> start(CamelContext context, Optional<FabricSettings> fabric) {
        if (fabric.isEmpty()) {
            LOG.info("no Fabric configured (fabric.channel unset or caduceus.fabric.enabled=false): ledger entries stay "
                    + "on Kafka and the bridge anchors the Kafka topic");
            return Optional.empty();
        }
        FabricSettings settings = fabric.get();
        List<FabricConnection> opened = new ArrayList<>();
        try {
            FabricConnection writer = FabricConnection.open(settings.writer());
            opened.add(writer);
            for (FabricSettings.Peer peer : settings.peers()) {
                opened.add(FabricConnection.open(peer.gateway()));
            }
            FabricLedger ledger = new FabricLedger(settings, writer, List.copyOf(opened.subList(1, opened.size())),
                    KafkaClients.of(context));
            ledger.forwarder.start();
            ledger.accessLog.start();
            ledger.heightTimer.scheduleWithFixedDelay(ledger::refreshHeights, 0, HEIGHT_PERIOD_SECONDS,
                    TimeUnit.SECONDS);
            context.getRegistry().bind(BEAN, ledger);
            // Also closed when the context stops, for embedders (tests) that stop Camel without Main's afterStop.
            try {
                context.addService(ledger, true, false);
            } catch (Exception e) {
                throw new IllegalStateException("cannot register the Fabric ledger with Camel", e);
            }
            HealthCheckRegistry.get(context).register(new FabricLedgerHealthCheck(ledger));
            LOG.info("ledger entries go from {} to Fabric channel {} as {} (batches of up to {} entries or {} ms, {} in "
                    + "flight)", settings.ledgerTopic(), settings.writer().channel(), settings.writer().mspId(),
                    settings.batcher().maxBatchSize(), settings.batcher().maxBatchDelay().toMillis(),
                    settings.batcher().maxInFlightBatches());
            return Optional.of(ledger);
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

    /** The last height each peer answered, or why it did not ({@code org@endpoint} to height or text). */
    Map<String, Object> peerHeights() {
        Map<String, Object> peerHeights = new LinkedHashMap<>();
        for (FabricSettings.Peer peer : settings.peers()) {
            peerHeights.put(peer.org() + "@" + peer.gateway().peerEndpoint(), heights.get(peer.org()));
        }
        return peerHeights;
    }

    /** Which peers did not answer their last height query, or null when all did. */
    String unavailablePeers() {
        StringBuilder down = new StringBuilder();
        peerHeights().forEach((peer, height) -> {
            if (!(height instanceof Long)) {
                down.append(down.isEmpty() ? "" : "; ").append(peer).append(": ")
                        .append(height == null ? "not asked yet" : height);
            }
        });
        return down.isEmpty() ? null : down.toString();
    }

    /**
     * The ledger's gauges, read from the state the status shows: forwarding lag in entries and seconds, entries
     * committed and dead-lettered, and each peer's block height (label {@code org}: the configured organisations).
     */
    public void registerMetrics(CaduceusMetrics metrics) {
        metrics.gauge("caduceus.ledger.lag.entries", "Ledger entries on Kafka not yet committed to Fabric", Tags.empty(),
                forwarder, LedgerForwarder::lagEntries);
        metrics.gauge("caduceus.ledger.lag.seconds", "Age of the newest entry committed to Fabric while entries wait "
                + "(0 without a lag)", Tags.empty(), forwarder, f -> {
                    Long seconds = f.lagSeconds();
                    return seconds == null ? Double.NaN : seconds;
                });
        metrics.functionCounter("caduceus.ledger.entries.committed", "Ledger entries committed to Fabric by this process",
                forwarder, LedgerForwarder::committedEntries);
        metrics.functionCounter("caduceus.ledger.entries.dead.lettered", "Ledger entries Fabric refused, sent to the "
                + "dead-letter topic", forwarder, LedgerForwarder::deadLetteredEntries);
        for (FabricSettings.Peer peer : settings.peers()) {
            metrics.gauge("caduceus.fabric.block.height", "Block height of the channel as the peer last answered",
                    Tags.of("org", peer.org()), heights, h -> h.get(peer.org()) instanceof Long height ? height
                            : Double.NaN);
        }
    }

    /** Heights per peer, the forwarder's counts and lags. */
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", true);
        out.put("channel", settings.writer().channel());
        out.put("chaincode", settings.writer().chaincode());
        out.put("peerHeights", peerHeights());
        out.put("kafkaToFabric", forwarder.status());
        out.put("accessLog", accessLog.status());
        return out;
    }

    /** The hospital writer's view of the ledger, for lookups ({@code GetBatch}). */
    public FabricConnection writerConnection() {
        return writer;
    }

    /** Consent grants, through the hospital writer's identity (role writer may manage consent). */
    public ConsentLedger consentLedger() {
        return consent;
    }

    /** The forwarders start when the ledger is, so that they do not depend on when Camel starts services. */
    @Override
    public void start() {
    }

    @Override
    public void stop() {
        close();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        heightTimer.shutdownNow();
        forwarder.close();
        accessLog.close();
        peers.forEach(FabricConnection::close);
        writer.close();
    }
}
