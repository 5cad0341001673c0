package io.caduceus.edge.status;

import io.caduceus.adapters.fabric.FabricLedger;
import io.caduceus.adapters.fabric.FabricSettings;
import io.caduceus.adapters.kafka.ledger.LedgerForwarder;
import io.caduceus.adapters.kafka.ledger.LedgerForwarding;
import io.caduceus.edge.metrics.CaduceusMetrics;
import io.micrometer.core.instrument.Tags;

/**
 * The private ledger's gauges, read from the state {@code GET /api/ledger} shows: forwarding lag in entries and
 * seconds, entries committed and dead-lettered, and each peer's block height (label {@code org}: the configured
 * organisations).
 */
public final class LedgerMetrics {

    private LedgerMetrics() {
    }

    public static void register(CaduceusMetrics metrics, FabricLedger ledger, LedgerForwarding forwarding) {
        LedgerForwarder forwarder = forwarding.entries();
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
        for (FabricSettings.Peer peer : ledger.settings().peers()) {
            metrics.gauge("caduceus.fabric.block.height", "Block height of the channel as the peer last answered",
                    Tags.of("org", peer.org()), ledger, l -> {
                        Long height = l.peerHeight(peer.org());
                        return height == null ? Double.NaN : height;
                    });
        }
    }
}
