package io.caduceus.edge.health;

import io.caduceus.adapters.fabric.FabricLedger;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Ready when every peer of the channel answered its last height query: the endorsement policy needs both
 * organisations, so one peer down stops every ledger write. Reads the heights the ledger polls; never calls a peer
 * itself, so a health request never waits on Fabric. Registered only when Fabric is configured.
 */
final class FabricLedgerHealthCheck extends AbstractHealthCheck {

    private final FabricLedger ledger;

    FabricLedgerHealthCheck(FabricLedger ledger) {
        super("caduceus", "fabric");
        this.ledger = ledger;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, Object> heights = ledger.peerHeights();
        heights.forEach(builder::detail);
        String down = ledger.unavailablePeers();
        if (down == null) {
            builder.up();
        } else {
            builder.message(down).down();
        }
    }
}
