package io.caduceus.routes.anchor;

import io.caduceus.adapters.ethereum.AnchorRegistryClient;
import io.caduceus.adapters.fabric.FabricConnection;
import io.caduceus.adapters.ethereum.AnchorRegistryConfig;
import io.caduceus.adapters.ethereum.EthereumEndpoint;
import io.caduceus.adapters.ethereum.EthereumException;
import io.caduceus.adapters.ethereum.EthereumNode;
import io.caduceus.adapters.ethereum.EthereumNodes;
import io.caduceus.bridge.AnchorChain;
import io.caduceus.bridge.AnchorOutcome;
import io.caduceus.bridge.AnchorPolicy;
import io.caduceus.bridge.Anchorer;
import io.caduceus.bridge.AnchoringLog;
import io.caduceus.bridge.AnchoringStatus;
import io.caduceus.bridge.LostAnchor;
import io.caduceus.bridge.ProofService;
import io.caduceus.bridge.ReceiptSink;
import io.caduceus.bridge.TransactionLookup;
import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.merkle.TreeHead;
import io.caduceus.adapters.kafka.KafkaClients;
import io.caduceus.routes.ledger.FabricSettings;
import io.caduceus.edge.metrics.CaduceusMetrics;
import io.caduceus.edge.metrics.GaugeRefresher;
import io.micrometer.core.instrument.Tags;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;

/**
 * The bridge inside the middleware: the anchoring log fed from what the Fabric channel committed (or, without Fabric,
 * from the Kafka topic), and the anchorer driven by the timer route
 * {@code anchoring-tick} ({@link #tick}). The chain side is connected lazily by the tick, so the middleware starts
 * while the Ethereum node is down (its health check shows it) and anchoring begins once the node answers; every
 * failure is retried at the next tick.
 *
 * <p>The anchorer's state is kept per chain and contract ({@code chains/<chain id>-<contract>/}): a different
 * registry (a devnet restarted from genesis) starts its own anchors, from the whole log, instead of mixing receipts.
 */
public final class AnchoringService implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(AnchoringService.class);

    private final AnchorSettings settings;
    private final AnchoringLog log;
    private final LedgerFeed feed;
    private final FileReceiptSink outbox;
    private final ReceiptSink sink;
    /** The bridge's identity towards Fabric, when the private ledger is configured; closed with the service. */
    private final FabricConnection fabric;
    private final ConfirmedReceipts receipts = new ConfirmedReceipts();
    private final AnchorLatency latency;
    private final ProofService proofs;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AnchorAccount account;

    // Written by the tick thread only (ticks never overlap); the volatile ones are read by HTTP threads.
    private volatile Connected chain;
    private volatile String chainProblem = "not connected yet";
    private volatile String lastOutcome;
    private volatile int pendingAnchors;
    private volatile int undeliveredReceipts;
    private volatile List<LostAnchor> lostAnchors = List.of();
    /** The last re-anchor after lost anchors: when the loss was found, when the new anchor was confirmed. */
    private volatile Map<String, Object> lastReanchor;
    /** When the held check is next due; null: at the next tick (after every connection). */
    private Instant nextHeldCheck;
    /** The node's highest block height seen; a lower one means a chain restarted from genesis (or a deep reorg). */
    private long highestBlockSeen = -1;
    /** Set when anchors were found lost, cleared when an anchor covering them is confirmed. */
    private Instant lossFoundAt;
    /** The one immediate reconnection after lost anchors is running (never more than one per tick). */
    private boolean reconnectingAfterLoss;
    private long lostUpToSize;
    /** The chain's block number at the last tick, for counting an anchor's confirmations; -1 before the first. */
    private volatile long latestBlock = -1;
    /** Decrypted once: a standard-strength keystore costs a second and 256 MB to open. */
    private Credentials key;
    private String lastLogged;

    /** One connection to the registry: closed and rebuilt after a permanent failure. */
    private record Connected(EthereumNode node, AnchorRegistryClient registry, TransactionLookup lookup,
                             Anchorer anchorer, String contract, String anchorerAddress) implements AutoCloseable {
        @Override
        public void close() {
            registry.close();
            lookup.close();
            node.close();
        }
    }

    private AnchoringService(AnchorSettings settings, AnchoringLog log, LedgerFeed feed, FileReceiptSink outbox,
                             ReceiptSink sink, FabricConnection fabric, AnchorLatency latency) {
        this.settings = settings;
        this.latency = latency;
        this.log = log;
        this.feed = feed;
        this.outbox = outbox;
        this.sink = sink;
        this.fabric = fabric;
        this.proofs = ProofService.of(log, receipts);
        this.account = new AnchorAccount(settings.rpcUrl().toString(), settings.rpcTimeout());
    }

    /**
     * @param fabric the private ledger, when configured: the log then follows what Fabric committed and receipts go
     *               back to Fabric; without it the log follows the Kafka topic and receipts wait in the outbox file
     * @param kafka  how the Kafka feed reaches the topic and authenticates its entries (used without Fabric)
     */
    static AnchoringService open(AnchorSettings settings, Optional<FabricSettings> fabric, KafkaClients kafka) {
        AnchoringLog log = AnchoringLog.open(settings.directory().resolve("log"));
        FabricConnection connection = null;
        try {
            FileReceiptSink outbox = new FileReceiptSink(settings.directory().resolve("fabric-outbox.jsonl"));
            AnchorLatency latency = new AnchorLatency();
            LedgerFeed feed;
            ReceiptSink sink;
            String source;
            if (fabric.isPresent()) {
                connection = FabricConnection.open(fabric.get().bridge());
                feed = new FabricLedgerFeed(log, connection, latency);
                sink = new FabricReceiptSink(outbox, connection.ledgerWriter());
                source = "Fabric channel " + fabric.get().bridge().channel();
            } else {
                feed = new KafkaLedgerFeed(log, kafka, settings.ledgerTopic(),
                        settings.pollTimeout(), settings.kafkaCallTimeout(), settings.maxBatch(), latency);
                sink = outbox;
                source = "Kafka topic " + settings.ledgerTopic() + " (no Fabric configured)";
            }
            AnchoringService service = new AnchoringService(settings, log, feed, outbox, sink, connection, latency);
            feed.start();
            LOG.info("anchoring log open: {} entries, feed from {}; anchors every {} entries or {} s, {} confirmations",
                    log.size(), source, settings.maxEntries(), settings.maxInterval().toSeconds(),
                    settings.confirmations());
            return service;
        } catch (RuntimeException e) {
            if (connection != null) {
                connection.close();
            }
            log.close();
            throw e;
        }
    }

    AnchoringLog log() {
        return log;
    }

    ProofService proofs() {
        return proofs;
    }

    /**
     * The commitment the ledger holds for a record, as the bridge logged it from the ledger feed; empty until the
     * feed has reached the record. Readers compare it with the commitment recomputed from the vault.
     */
    public Optional<Digest> ledgerCommitment(RecordId recordId) {
        OptionalLong leaf = log.leafIndex(recordId);
        return leaf.isPresent() ? Optional.of(log.commitment(leaf.getAsLong())) : Optional.empty();
    }

    /**
     * One anchoring step (the timer route calls it; never two at once): connects the chain if needed, anchors the
     * log's head when due and confirms pending anchors. Failures are logged once and retried at the next tick.
     */
    public void tick() {
        if (closed.get()) {
            return;
        }
        feed.restartIfStopped();
        Connected c = chain;
        if (c == null) {
            c = connect();
            if (c == null) {
                return;
            }
        }
        try {
            checkAnchorsHeldIfDue(c);
            AnchorOutcome outcome = c.anchorer().anchorIfDue(Instant.now());
            if (outcome.kind() != AnchorOutcome.Kind.NOT_DUE) {
                lastOutcome = outcome.kind() + " size " + outcome.treeSize() + " (" + outcome.detail() + ")";
            }
            long blockNumber = c.node().blockNumber();
            latestBlock = blockNumber;
            List<AnchorReceipt> confirmed = c.anchorer().confirmPending(blockNumber);
            if (!confirmed.isEmpty()) {
                long size = confirmed.get(confirmed.size() - 1).treeSize();
                lastOutcome = "CONFIRMED size " + size;
                latency.confirmed(size, Instant.now());
                reanchored(confirmed.get(confirmed.size() - 1));
            }
            refresh(c.anchorer());
            if (outcome.kind() != AnchorOutcome.Kind.RETRY_LATER) {
                chainProblem = null;
                lastLogged = null;
            } else {
                chainProblem = outcome.detail();
            }
        } catch (EthereumException e) {
            chainProblem = e.getMessage();
            warnOnce("anchoring postponed: " + e.getMessage());
            if (!e.isRetriable()) {
                // Reconnect from scratch: on a devnet restarted from genesis that redeploys the registry.
                disconnect();
                if (lossFoundAt != null && !reconnectingAfterLoss) {
                    // Lost anchors wait for this: reconnect and anchor again now, not a tick later.
                    reconnectingAfterLoss = true;
                    try {
                        tick();
                    } finally {
                        reconnectingAfterLoss = false;
                    }
                }
            }
        } catch (RuntimeException e) {
            // Inconsistent history, chain ahead of the log, corrupted state: an operator must look; keep trying.
            chainProblem = e.getClass().getSimpleName() + ": " + e.getMessage();
            disconnect();
            if (!chainProblem.equals(lastLogged)) {
                LOG.error("anchoring stopped until this is fixed: {}", chainProblem, e);
                lastLogged = chainProblem;
            }
        }
    }

    /**
     * The held check at every connection, every caduceus.anchor.held-check-interval-ms, and at once when the node's
     * height went down: a chain restarted from genesis is then found at the next tick, not at the next message.
     */
    private void checkAnchorsHeldIfDue(Connected c) {
        Instant now = Instant.now();
        long height = c.node().blockNumber();
        boolean heightWentDown = height < highestBlockSeen;
        highestBlockSeen = height;
        if (!heightWentDown && nextHeldCheck != null && now.isBefore(nextHeldCheck)) {
            return;
        }
        nextHeldCheck = now.plus(settings.heldCheckInterval());
        if (!c.anchorer().checkAnchorsHeld(now).isEmpty()) {
            refresh(c.anchorer());
        }
    }

    /** Anchors found lost since the last look, by the held check or by the check before an anchor. */
    private void noticeLosses(List<LostAnchor> before, List<LostAnchor> now, List<AnchorReceipt> confirmed) {
        if (now.size() <= before.size()) {
            return;
        }
        List<LostAnchor> lost = now.subList(before.size(), now.size());
        LostAnchor latest = lost.get(lost.size() - 1);
        if (!confirmed.isEmpty() && confirmed.get(confirmed.size() - 1).treeSize() >= latest.receipt().treeSize()) {
            return; // read at start: anchored again before this process
        }
        if (lossFoundAt == null) {
            lossFoundAt = latest.detectedAt();
        }
        lostUpToSize = Math.max(lostUpToSize, latest.receipt().treeSize());
        lastOutcome = "LOST " + lost.size() + " anchor(s) up to size " + latest.receipt().treeSize() + " ("
                + latest.reason() + "); anchoring again";
    }

    private void reanchored(AnchorReceipt receipt) {
        if (lossFoundAt == null || receipt.treeSize() < lostUpToSize) {
            return;
        }
        Instant now = Instant.now();
        long millis = Duration.between(lossFoundAt, now).toMillis();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("lostFoundAt", lossFoundAt.toString());
        out.put("confirmedAt", now.toString());
        out.put("millisFromLossFoundToConfirmed", millis);
        out.put("treeSize", receipt.treeSize());
        out.put("transactionHash", receipt.transactionHash());
        out.put("blockNumber", receipt.blockNumber());
        lastReanchor = out;
        LOG.warn("re-anchored size {} after lost anchors, transaction {}, confirmed {} ms after the loss was found",
                receipt.treeSize(), receipt.transactionHash(), millis);
        lossFoundAt = null;
        lostUpToSize = 0;
    }

    private void refresh(Anchorer anchorer) {
        List<AnchorReceipt> confirmed = anchorer.confirmedReceipts();
        receipts.update(confirmed);
        List<LostAnchor> lost = anchorer.lostAnchors();
        noticeLosses(lostAnchors, lost, confirmed);
        lostAnchors = lost;
        AnchoringStatus status = anchorer.status(Instant.now());
        pendingAnchors = status.pendingAnchors();
        undeliveredReceipts = status.undeliveredReceipts();
    }

    private Connected connect() {
        EthereumEndpoint endpoint = new EthereumEndpoint(settings.rpcUrl(), settings.chainId(), settings.rpcTimeout());
        EthereumNode node = null;
        AnchorRegistryClient registry = null;
        TransactionLookup lookup = null;
        try {
            node = EthereumNodes.connect(endpoint);
            if (key == null) {
                if (settings.devnetBootstrap()) {
                    DevnetBootstrap.ensureKey(settings);
                }
                key = AnchorKeys.load(settings.keystoreFile(), settings.passwordFile());
            }
            if (settings.devnetBootstrap()) {
                DevnetBootstrap.ensureFunded(settings, key.getAddress());
            }
            AnchorRegistryConfig config = new AnchorRegistryConfig(endpoint, null, settings.gasLimit(),
                    settings.deployGasLimit(), settings.receiptTimeout(), Duration.ofMillis(250));
            String contract;
            if (settings.contract().isPresent()) {
                contract = settings.contract().get();
            } else if (settings.devnetBootstrap()) {
                contract = DevnetBootstrap.ensureRegistry(settings, config, key);
            } else {
                throw new AnchorSetupException("caduceus.anchor.contract is empty (only caduceus.anchor.devnet-bootstrap "
                        + "deploys a registry of its own)");
            }
            registry = AnchorRegistryClient.connect(config.withContractAddress(contract), key);
            String allowed = registry.anchorer();
            if (!allowed.equalsIgnoreCase(key.getAddress())) {
                throw new AnchorSetupException("the registry " + contract + " accepts anchors from " + allowed
                        + " only, not from the key in " + settings.keystoreFile() + " (" + key.getAddress() + ")");
            }
            lookup = TransactionLookup.connect(endpoint);
            AnchorChain anchorChain = new AnchorChain(settings.chainId(), contract, registry, lookup);
            Path state = settings.directory().resolve("chains")
                    .resolve(settings.chainId() + "-" + anchorChain.contractAddress());
            Anchorer anchorer = Anchorer.open(state, log, new AnchorPolicy(settings.maxEntries(), settings.maxInterval(),
                    settings.confirmations(), settings.fabricChannel()), anchorChain, sink);
            Connected connected = new Connected(node, registry, lookup, anchorer, anchorChain.contractAddress(),
                    key.getAddress());
            refresh(anchorer);
            chain = connected;
            chainProblem = null;
            nextHeldCheck = null;
            LOG.info("anchoring to registry {} on chain {} as {}", contract, settings.chainId(), key.getAddress());
            return connected;
        } catch (RuntimeException e) {
            chainProblem = e.getMessage();
            closeQuietly(registry, lookup, node);
            warnOnce("anchoring not connected: " + e.getMessage());
            return null;
        }
    }

    private void disconnect() {
        Connected c = chain;
        chain = null;
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the chain connection failed: {}", e.getClass().getSimpleName());
            }
        }
        // The receipts stay: they were checked against the log when confirmed, and proofs keep serving them.
    }

    /** The same problem at every tick is logged once, until a tick succeeds or the problem changes. */
    private void warnOnce(String message) {
        if (!message.equals(lastLogged)) {
            LOG.warn("{}; retrying at every tick", message);
            lastLogged = message;
        }
    }

    /**
     * Where a record's ledger entry is: its leaf and commitment in the anchoring log, the Fabric block and transaction
     * that committed it (with the batch that transaction recorded, asked of the ledger), and the first confirmed anchor
     * covering it. Empty while the log does not hold the record.
     */
    Optional<Map<String, Object>> ledgerEntry(RecordId recordId) {
        OptionalLong leaf = log.leafIndex(recordId);
        if (leaf.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("recordId", recordId.value());
        out.put("leafIndex", leaf.getAsLong());
        out.put("commitment", log.commitment(leaf.getAsLong()).hex());
        Optional<String> position = log.positionOf(leaf.getAsLong());
        Optional<Map.Entry<Long, String>> origin = position.flatMap(FabricLedgerFeed::origin);
        Map<String, Object> ledger = new LinkedHashMap<>();
        if (origin.isPresent()) {
            ledger.put("ledger", "fabric");
            ledger.put("channel", fabric == null ? null : fabric.config().channel());
            ledger.put("block", origin.get().getKey());
            ledger.put("transaction", origin.get().getValue());
            if (fabric != null) {
                try {
                    String transaction = origin.get().getValue();
                    ledger.put("entry", fabric.ledgerWriter().committedEntries(transaction).stream()
                            .filter(e -> e.recordId().equals(recordId)).findFirst()
                            .map(AnchoringService::describe).orElse(null));
                    ledger.put("batch", fabric.ledgerWriter().batch(transaction)
                            .map(io.caduceus.core.json.CanonicalJson::parse).orElse(null));
                } catch (RuntimeException e) {
                    ledger.put("entry", "unavailable: " + e.getMessage());
                }
            }
        } else {
            ledger.put("ledger", "kafka");
            ledger.put("position", position.orElse(null));
        }
        out.put("committed", ledger);
        Map<String, Object> anchor = new LinkedHashMap<>();
        Optional<AnchorReceipt> covering = receipts.confirmedReceipts().stream()
                .filter(r -> r.treeSize() > leaf.getAsLong()).findFirst();
        anchor.put("state", covering.isPresent() ? "anchored" : "pending");
        covering.ifPresent(r -> {
            anchor.put("treeSize", r.treeSize());
            anchor.put("root", r.root().hex());
            anchor.put("chainId", r.chainId());
            anchor.put("contract", r.contractAddress());
            anchor.put("transactionHash", r.transactionHash());
            anchor.put("blockNumber", r.blockNumber());
            long latest = latestBlock;
            if (latest >= r.blockNumber()) {
                anchor.put("confirmations", latest - r.blockNumber() + 1);
            }
        });
        out.put("anchor", anchor);
        return Optional.of(out);
    }

    /**
     * A ledger entry as the ledger API shows it: whether it concerns a patient, not which one. Auditors may call it, and
     * a pseudonym would let them link a patient's records across the ledger.
     */
    private static Map<String, Object> describe(io.caduceus.core.domain.LedgerEntry entry) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("recordId", entry.recordId().value());
        out.put("commitment", entry.commitment().hex());
        out.put("messageType", entry.messageType());
        out.put("source", entry.source().application() + "^" + entry.source().facility());
        out.put("receivedAt", entry.receivedAt().toString());
        out.put("aboutAPatient", entry.patientPseudonym().isPresent());
        return out;
    }

    /** What GET /api/anchoring shows: sizes, roots, hashes and addresses only; never waits for a tick. */
    Map<String, Object> status() {
        Connected c = chain;
        TreeHead head = log.head();
        Optional<AnchorReceipt> last = receipts.last();
        long anchoredSize = last.map(AnchorReceipt::treeSize).orElse(0L);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", true);
        out.put("logSize", head.size());
        out.put("logRoot", head.root().hex());
        out.put("unanchoredEntries", head.size() - anchoredSize);
        out.put("secondsSinceLastAnchor", last.map(r -> Math.max(0, Duration.between(r.blockTime(), Instant.now())
                .toSeconds())).orElse(null));
        out.put("lastAnchoredSize", anchoredSize);
        out.put("lastAnchoredRoot", last.map(r -> r.root().hex()).orElse(null));
        out.put("lastAnchoredTransaction", last.map(AnchorReceipt::transactionHash).orElse(null));
        out.put("lastAnchoredBlock", last.map(AnchorReceipt::blockNumber).orElse(null));
        out.put("pendingAnchors", (long) pendingAnchors);
        out.put("undeliveredReceipts", (long) undeliveredReceipts);
        out.put("lastOutcome", lastOutcome);
        out.put("lostAnchors", lostAnchorsSummary());
        out.put("chain", chainInfo(c));
        out.put("feed", feed.status());
        out.put("fabricBlockHeight", log.fabricBlockHeight());
        out.put("receiptsOutbox", (long) outbox.size());
        out.put("receivedToConfirmedAnchor", latency.summary());
        return out;
    }

    /**
     * Confirmed anchors the chain no longer holds (for GET /api/anchoring and GET /api/status): how many, the latest
     * ten (size, root, old transaction and block, when found, why) and the last re-anchor. Proofs issued with one of
     * them no longer verify; proofs asked for now use the new anchor.
     */
    public Map<String, Object> lostAnchorsSummary() {
        List<LostAnchor> lost = lostAnchors;
        Map<String, Object> lostInfo = new LinkedHashMap<>();
        lostInfo.put("count", (long) lost.size());
        List<Object> recent = new ArrayList<>();
        for (LostAnchor l : lost.subList(Math.max(0, lost.size() - 10), lost.size())) {
            Map<String, Object> entry = l.toJsonMap();
            entry.remove("receipt");
            recent.add(entry);
        }
        lostInfo.put("recent", recent);
        lostInfo.put("lastReanchor", lastReanchor);
        return lostInfo;
    }

    private Map<String, Object> chainInfo(Connected c) {
        Map<String, Object> chainInfo = new LinkedHashMap<>();
        chainInfo.put("connected", c != null);
        chainInfo.put("chainId", settings.chainId());
        chainInfo.put("contract", c == null ? settings.contract().orElse(null) : c.contract());
        chainInfo.put("anchorer", c == null ? null : c.anchorerAddress());
        chainInfo.put("confirmations", (long) settings.confirmations());
        chainInfo.put("problem", chainProblem);
        return chainInfo;
    }

    /**
     * The anchoring gauges, read from the state {@link #status()} shows; balance and anchor cost are asked of the node
     * by {@code refresher}. An absent value (no anchor yet, chain not connected) is NaN.
     */
    public void registerMetrics(CaduceusMetrics metrics, GaugeRefresher refresher) {
        metrics.gauge("caduceus.merkle.log.entries", "Entries in the Merkle log the anchors cover", Tags.empty(), log,
                AnchoringLog::size);
        metrics.gauge("caduceus.anchor.unanchored.entries", "Merkle log entries not yet covered by a confirmed anchor",
                Tags.empty(), this, s -> s.log.size() - s.receipts.last().map(AnchorReceipt::treeSize).orElse(0L));
        metrics.gauge("caduceus.anchor.last.confirmed.timestamp.seconds", "Block time of the last confirmed anchor "
                + "(Unix time)", Tags.empty(), receipts, r -> r.last().map(a -> (double) a.blockTime().getEpochSecond())
                .orElse(Double.NaN));
        metrics.gauge("caduceus.anchor.last.confirmed.age.seconds", "Seconds since the block of the last confirmed "
                + "anchor", Tags.empty(), receipts, r -> r.last().map(a -> (double) Math.max(0,
                Duration.between(a.blockTime(), Instant.now()).toSeconds())).orElse(Double.NaN));
        metrics.gauge("caduceus.anchor.pending.transactions", "Anchor transactions sent and not yet confirmed",
                Tags.empty(), this, s -> s.pendingAnchors);
        metrics.gauge("caduceus.anchor.undelivered.receipts", "Confirmed anchors whose receipt did not reach the "
                + "ledger yet", Tags.empty(), this, s -> s.undeliveredReceipts);
        metrics.gauge("caduceus.anchor.chain.connected", "1 while the anchorer is connected to the registry, else 0",
                Tags.empty(), this, s -> s.chain == null ? 0 : 1);
        metrics.gauge("caduceus.anchor.log.fabric.block.height", "Fabric block height the Merkle log covers",
                Tags.empty(), log, AnchoringLog::fabricBlockHeight);
        metrics.refreshedGauge("caduceus.anchor.key.balance.wei", "Balance of the anchoring key", Tags.empty(), () -> {
            Connected c = chain;
            return c == null ? null : account.balanceWei(c.anchorerAddress());
        }, refresher);
        metrics.refreshedGauge("caduceus.anchor.gas.used", "Gas used by the last confirmed anchor transaction",
                Tags.empty(), () -> account.gasUsed(receipts.last()), refresher);
        metrics.refreshedGauge("caduceus.anchor.cost.wei", "What the last confirmed anchor cost: gas used times the "
                + "effective gas price", Tags.empty(), () -> account.costWei(receipts.last()), refresher);
    }

    /** The feed starts when the service is opened, so that it does not depend on when Camel starts services. */
    @Override
    public void start() {
    }

    @Override
    public void stop() {
        close();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        feed.close();
        disconnect();
        account.close();
        if (fabric != null) {
            fabric.close();
        }
        log.close();
    }

    private static void closeQuietly(AutoCloseable... closeables) {
        for (AutoCloseable c : closeables) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.debug("closing failed: {}", e.getClass().getSimpleName());
                }
            }
        }
    }
}
