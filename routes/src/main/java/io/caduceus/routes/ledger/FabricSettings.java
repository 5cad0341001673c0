package io.caduceus.routes.ledger;

import io.caduceus.adapters.fabric.FabricGatewayConfig;

/**
 * What routes/anchor's AnchoringBeans takes of the Fabric settings: the bridge's identity. The settings themselves are
 * {@link io.caduceus.adapters.fabric.FabricSettings}; this goes once AnchoringBeans takes those.
 */
public record FabricSettings(FabricGatewayConfig bridge) {
}
