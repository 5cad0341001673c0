package io.caduceus.bridge.anchoring;

import io.caduceus.bridge.AnchoringLog;
import io.caduceus.bridge.ReceiptSink;
import java.util.Optional;

/**
 * Where the anchoring log's entries come from and where confirmed receipts go: the Fabric channel (receipts back to
 * Fabric) or, without Fabric, the Kafka topic (receipts stay in the outbox file). The wiring picks one; the adapters of
 * those technologies implement it, so the bridge never sees a Kafka or Fabric type.
 */
@FunctionalInterface
public interface LedgerSource {

    /**
     * Builds the feed over {@code log} (not started yet) and the receipt sink.
     *
     * @param outbox  the local receipts file, which every sink writes first
     * @param latency told of every append, for the received-to-anchored latency
     */
    Binding bind(AnchoringLog log, ReceiptSink outbox, AnchorLatency latency);

    /**
     * @param feed        fills the log
     * @param sink        takes every confirmed receipt
     * @param lookup      the ledger's transactions, when the feed follows a ledger that can be asked
     * @param description where the entries come from, for the log at start
     * @param resources   closed with the anchoring service (a ledger connection), after the feed
     */
    record Binding(LedgerFeed feed, ReceiptSink sink, Optional<LedgerLookup> lookup, String description,
                   AutoCloseable resources) {
    }
}
