package io.caduceus.routes.anchor;

import io.caduceus.bridge.AnchoringLog;
import io.caduceus.bridge.anchoring.AnchoringService;
import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.edge.metrics.CaduceusMetrics;
import io.caduceus.edge.metrics.GaugeRefresher;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.time.Instant;

/**
 * The anchoring gauges, read from the state GET /api/anchoring shows; balance and anchor cost are asked of the node by
 * the refresher, never on the anchoring tick. An absent value (no anchor yet, chain not connected) is NaN. Here rather
 * than in the bridge, which knows no metrics library.
 */
public final class AnchoringMetrics {

    private AnchoringMetrics() {
    }

    public static void register(AnchoringService s, CaduceusMetrics metrics, GaugeRefresher refresher) {
        metrics.gauge("caduceus.merkle.log.entries", "Entries in the Merkle log the anchors cover", Tags.empty(),
                s.log(), AnchoringLog::size);
        metrics.gauge("caduceus.anchor.unanchored.entries", "Merkle log entries not yet covered by a confirmed anchor",
                Tags.empty(), s, a -> a.log().size() - a.lastConfirmed().map(AnchorReceipt::treeSize).orElse(0L));
        metrics.gauge("caduceus.anchor.last.confirmed.timestamp.seconds", "Block time of the last confirmed anchor "
                + "(Unix time)", Tags.empty(), s, a -> a.lastConfirmed()
                .map(r -> (double) r.blockTime().getEpochSecond()).orElse(Double.NaN));
        metrics.gauge("caduceus.anchor.last.confirmed.age.seconds", "Seconds since the block of the last confirmed "
                + "anchor", Tags.empty(), s, a -> a.lastConfirmed().map(r -> (double) Math.max(0,
                Duration.between(r.blockTime(), Instant.now()).toSeconds())).orElse(Double.NaN));
        metrics.gauge("caduceus.anchor.pending.transactions", "Anchor transactions sent and not yet confirmed",
                Tags.empty(), s, AnchoringService::pendingAnchors);
        metrics.gauge("caduceus.anchor.undelivered.receipts", "Confirmed anchors whose receipt did not reach the "
                + "ledger yet", Tags.empty(), s, AnchoringService::undeliveredReceipts);
        metrics.gauge("caduceus.anchor.chain.connected", "1 while the anchorer is connected to the registry, else 0",
                Tags.empty(), s, a -> a.chainConnected() ? 1 : 0);
        metrics.gauge("caduceus.anchor.log.fabric.block.height", "Fabric block height the Merkle log covers",
                Tags.empty(), s.log(), AnchoringLog::fabricBlockHeight);
        metrics.refreshedGauge("caduceus.anchor.key.balance.wei", "Balance of the anchoring key", Tags.empty(),
                s::keyBalanceWei, refresher);
        metrics.refreshedGauge("caduceus.anchor.gas.used", "Gas used by the last confirmed anchor transaction",
                Tags.empty(), s::lastAnchorGasUsed, refresher);
        metrics.refreshedGauge("caduceus.anchor.cost.wei", "What the last confirmed anchor cost: gas used times the "
                + "effective gas price", Tags.empty(), s::lastAnchorCostWei, refresher);
    }
}
