package io.caduceus.routes.ledger;

import io.caduceus.adapters.fabric.FabricLedger;
import io.caduceus.adapters.fabric.FabricSettings;
import io.caduceus.adapters.kafka.KafkaClients;
import io.caduceus.adapters.kafka.ledger.ForwarderSettings;
import io.caduceus.adapters.kafka.ledger.LedgerForwarding;
import io.caduceus.edge.health.DependencyHealthChecks;
import io.caduceus.edge.metrics.CaduceusMetrics;
import io.caduceus.edge.status.LedgerMetrics;
import io.caduceus.edge.status.LedgerStatusApi;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the private ledger: {@code ledgerStatus} (camel/status.camel.yaml) always; with Fabric configured,
 * {@code fabricLedger}, its health check and gauges, and the forwarders from Kafka to it (started here).
 */
public final class LedgerBeans {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerBeans.class);
    public static final String BEAN = "fabricLedger";

    private LedgerBeans() {
    }

    /** Empty without Fabric; the ledger, closed with Camel (forwarders first), otherwise. */
    public static Optional<FabricLedger> register(CamelContext context, Optional<FabricSettings> fabric,
            CaduceusMetrics metrics) {
        if (fabric.isEmpty()) {
            LOG.info("no Fabric configured (fabric.channel unset or caduceus.fabric.enabled=false): ledger entries stay "
                    + "on Kafka and the bridge anchors the Kafka topic");
            context.getRegistry().bind("ledgerStatus", LedgerStatusApi.withoutFabric());
            return Optional.empty();
        }
        ForwarderSettings forwarder = ForwarderSettings.from(context.getPropertiesComponent()::resolveProperty);
        FabricLedger ledger = FabricLedger.open(fabric.get());
        LedgerForwarding forwarding = ledger.writeThrough(writer -> LedgerForwarding.start(forwarder, writer,
                KafkaClients.of(context)));
        context.getRegistry().bind(BEAN, ledger);
        // Also closed when the context stops, for embedders (tests) that stop Camel without Main's afterStop.
        try {
            context.addService(new Service() {
                @Override
                public void start() {
                }

                @Override
                public void stop() {
                    ledger.close();
                }
            }, true, false);
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the Fabric ledger with Camel", e);
        }
        DependencyHealthChecks.registerFabric(context, ledger);
        context.getRegistry().bind("ledgerStatus", LedgerStatusApi.of(ledger, forwarding));
        LedgerMetrics.register(metrics, ledger, forwarding);
        LOG.info("ledger entries go from {} to Fabric channel {} as {} (batches of up to {} entries or {} ms, {} in "
                + "flight)", forwarder.ledgerTopic(), fabric.get().writer().channel(), fabric.get().writer().mspId(),
                forwarder.batcher().maxBatchSize(), forwarder.batcher().maxBatchDelay().toMillis(),
                forwarder.batcher().maxInFlightBatches());
        return Optional.of(ledger);
    }
}
