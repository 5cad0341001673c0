package io.caduceus.adapters.fabric.anchoring;

import io.caduceus.adapters.fabric.FabricConnection;
import io.caduceus.adapters.fabric.FabricGatewayConfig;
import io.caduceus.ingest.ledger.LedgerWriter;
import io.caduceus.bridge.anchoring.LedgerLookup;
import io.caduceus.bridge.anchoring.LedgerSource;
import io.caduceus.core.domain.LedgerEntry;
import java.util.List;
import java.util.Optional;

/**
 * The anchoring log fed from what the Fabric channel committed, receipts written back to the ledger, both through the
 * bridge's own identity (role bridge), whose connection is opened when the service binds and closed with it.
 */
public final class FabricLedgerSource {

    private FabricLedgerSource() {
    }

    public static LedgerSource of(FabricGatewayConfig bridge) {
        return (log, outbox, latency) -> {
            FabricConnection connection = FabricConnection.open(bridge);
            try {
                LedgerWriter ledger = connection.ledgerWriter();
                LedgerLookup lookup = new LedgerLookup() {
                    @Override
                    public String channel() {
                        return connection.config().channel();
                    }

                    @Override
                    public List<LedgerEntry> committedEntries(String transactionId) {
                        return ledger.committedEntries(transactionId);
                    }

                    @Override
                    public Optional<String> batch(String transactionId) {
                        return ledger.batch(transactionId);
                    }
                };
                return new LedgerSource.Binding(new FabricLedgerFeed(log, connection, latency),
                        new FabricReceiptSink(outbox, ledger), Optional.of(lookup),
                        "Fabric channel " + bridge.channel(), connection::close);
            } catch (RuntimeException e) {
                connection.close();
                throw e;
            }
        };
    }
}
