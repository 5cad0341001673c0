package io.caduceus.edge.health;

import io.caduceus.adapters.fabric.FabricLedger;
import io.caduceus.ingest.vault.RecordVault;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;

/** Registers the readiness checks of the systems the middleware depends on. */
public final class DependencyHealthChecks {

    private DependencyHealthChecks() {
    }

    /** Kafka always; the Ethereum node only when anchoring uses it. Fabric's is {@link #registerFabric}. */
    public static void register(CamelContext context) {
        HealthCheckRegistry registry = registry(context);
        registry.register(new KafkaClusterHealthCheck());
        if (Boolean.parseBoolean(context.resolvePropertyPlaceholders("{{caduceus.anchor.enabled}}"))) {
            registry.register(new EthereumNodeHealthCheck());
        }
    }

    /** The record vault the running configuration opened. */
    public static void registerVault(CamelContext context, RecordVault vault) {
        registry(context).register(new VaultHealthCheck(vault, context.resolvePropertyPlaceholders("{{caduceus.vault.type}}")));
    }

    /** The channel's peers, when Fabric is configured: from the heights the ledger polls. */
    public static void registerFabric(CamelContext context, FabricLedger ledger) {
        registry(context).register(new FabricLedgerHealthCheck(ledger));
    }

    private static HealthCheckRegistry registry(CamelContext context) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            throw new IllegalStateException("Camel health checks are not available: camel-health is missing from the classpath");
        }
        return registry;
    }
}
