package io.caduceus.bridge.anchoring;

import io.caduceus.bridge.AnchorOutcome;
import io.caduceus.bridge.Anchorer;
import io.caduceus.bridge.AnchoringLog;
import io.caduceus.bridge.AnchoringStatus;
import io.caduceus.bridge.LostAnchor;
import io.caduceus.bridge.ProofService;
import io.caduceus.bridge.ReceiptSink;
import io.caduceus.bridge.anchoring.ChainConnector.Connected;
import io.caduceus.core.chain.AnchoringChain;
import io.caduceus.core.chain.ChainException;
import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.merkle.TreeHead;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge inside the middleware: the anchoring log fed from what the Fabric channel committed (or, without Fabric,
 * from the Kafka topic), and the anchorer driven by the timer route
 * {@code anchoring-tick} ({@link #tick}). The chain side is connected lazily by the tick ({@link ChainConnector}), so
 * the middleware starts while the Ethereum node is down (its health check shows it) and anchoring begins once the node
 * answers; every failure is retried at the next tick. Free of Camel, Kafka, Fabric and web3j: the wiring hands it a
 * {@link LedgerSource} and the chain port ({@link AnchoringChain}, which adapters/ethereum implements).
 */
public final class AnchoringService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AnchoringService.class);

    private final AnchorSettings settings;
    private final AnchoringLog log;
    private final LedgerFeed feed;
    private final FileReceiptSink outbox;
    private final ReceiptSink sink;
    /** The ledger connection behind the feed, when there is one; closed with the service. */
    private final AutoCloseable ledgerResources;
    private final ChainConnector connector;
    private final LedgerEntryReport entries;
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
    private String lastLogged;

    private AnchoringService(AnchorSettings settings, AnchoringLog log, FileReceiptSink outbox,
                             LedgerSource.Binding ledger, AnchorLatency latency, AnchoringChain chain,
                             Optional<DevnetHook> devnet) {
        this.settings = settings;
        this.latency = latency;
        this.log = log;
        this.feed = ledger.feed();
        this.outbox = outbox;
        this.sink = ledger.sink();
        this.ledgerResources = ledger.resources();
        this.proofs = ProofService.of(log, receipts);
        this.account = new AnchorAccount(chain);
        this.connector = new ChainConnector(settings, chain, devnet);
        this.entries = new LedgerEntryReport(log, receipts, ledger.lookup(), () -> latestBlock);
    }

    /**
     * Opens the log and starts the feed of {@code source}; anchors in {@code chain}, connected by the ticks.
     *
     * @throws DevnetHook.DevnetHookMissingException when the settings ask for the devnet bootstrap and its module is
     *                                               not on the classpath (before anything is opened)
     */
    public static AnchoringService open(AnchorSettings settings, LedgerSource source, AnchoringChain chain) {
        return open(settings, source, chain, DevnetHook.required(settings));
    }

    static AnchoringService open(AnchorSettings settings, LedgerSource source, AnchoringChain chain,
                                 Optional<DevnetHook> devnet) {
        AnchoringLog log = AnchoringLog.open(settings.directory().resolve("log"));
        LedgerSource.Binding ledger = null;
        try {
            FileReceiptSink outbox = new FileReceiptSink(settings.directory().resolve("fabric-outbox.jsonl"));
            AnchorLatency latency = new AnchorLatency();
            ledger = source.bind(log, outbox, latency);
            AnchoringService service = new AnchoringService(settings, log, outbox, ledger, latency, chain, devnet);
            ledger.feed().start();
            LOG.info("anchoring log open: {} entries, feed from {}; anchors every {} entries or {} s, {} confirmations",
                    log.size(), ledger.description(), settings.maxEntries(), settings.maxInterval().toSeconds(),
                    settings.confirmations());
            return service;
        } catch (RuntimeException e) {
            if (ledger != null) {
                ChainConnector.closeQuietly(ledger.resources());
            }
            log.close();
            throw e;
        }
    }

    public AnchoringLog log() {
        return log;
    }

    public ProofService proofs() {
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
        } catch (ChainException e) {
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
        try {
            Connected connected = connector.connect(log, sink);
            refresh(connected.anchorer());
            chain = connected;
            chainProblem = null;
            nextHeldCheck = null;
            return connected;
        } catch (RuntimeException e) {
            chainProblem = e.getMessage();
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
     * Where a record's ledger entry is: its leaf and commitment in the anchoring log, the block and transaction that
     * committed it, and the first confirmed anchor covering it. Empty while the log does not hold the record.
     */
    public Optional<Map<String, Object>> ledgerEntry(RecordId recordId) {
        return entries.of(recordId);
    }

    /** What GET /api/anchoring shows: sizes, roots, hashes and addresses only; never waits for a tick. */
    public Map<String, Object> status() {
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

    /** The last confirmed anchor as of the last tick. */
    public Optional<AnchorReceipt> lastConfirmed() {
        return receipts.last();
    }

    /** Anchor transactions sent and not yet confirmed, as of the last tick. */
    public int pendingAnchors() {
        return pendingAnchors;
    }

    /** Confirmed anchors whose receipt did not reach the ledger yet, as of the last tick. */
    public int undeliveredReceipts() {
        return undeliveredReceipts;
    }

    public boolean chainConnected() {
        return chain != null;
    }

    /** The anchoring key's balance, asked of the node; null while not connected. For the metrics refresher only. */
    public BigInteger keyBalanceWei() {
        Connected c = chain;
        return c == null ? null : account.balanceWei(c.anchorerAddress());
    }

    /** Gas used by the last confirmed anchor (asked of the node once per anchor); null before the first. */
    public Long lastAnchorGasUsed() {
        return account.gasUsed(receipts.last());
    }

    /** What the last confirmed anchor cost: gas used times the effective gas price; null before the first. */
    public BigInteger lastAnchorCostWei() {
        return account.costWei(receipts.last());
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        feed.close();
        disconnect();
        account.close();
        ChainConnector.closeQuietly(ledgerResources);
        log.close();
    }
}
