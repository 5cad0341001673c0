package io.caduceus.routes.anchor;

import io.caduceus.adapters.ethereum.AnchorRegistryConfig;
import io.caduceus.adapters.ethereum.EthereumAnchoring;
import io.caduceus.adapters.ethereum.EthereumEndpoint;
import io.caduceus.adapters.fabric.FabricSettings;
import io.caduceus.adapters.fabric.anchoring.FabricLedgerSource;
import io.caduceus.adapters.kafka.KafkaClients;
import io.caduceus.adapters.kafka.anchoring.KafkaLedgerSource;
import io.caduceus.bridge.anchoring.AnchorSettings;
import io.caduceus.bridge.anchoring.AnchoringService;
import io.caduceus.bridge.anchoring.DevnetHook;
import io.caduceus.bridge.anchoring.LedgerSource;
import io.caduceus.core.chain.AnchoringChain;
import io.caduceus.edge.anchoring.AnchoringApi;
import io.caduceus.edge.services.IngestServices;
import java.time.Duration;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the bridge once per application and binds the bean {@code anchoring} for camel/anchoring.camel.yaml: the feed
 * from Fabric when it is configured, else from the Kafka topic, and the chain port from the Ethereum adapter. The feed
 * starts here (a daemon thread); the chain is connected by the first ticks, so neither Kafka nor Ethereum has to be up
 * for the middleware to start.
 */
public final class AnchoringBeans {

    private static final Logger LOG = LoggerFactory.getLogger(AnchoringBeans.class);
    /** Registry name of the {@link AnchoringService}, when anchoring is on and its log opened. */
    public static final String SERVICE = "anchoringService";

    private AnchoringBeans() {
    }

    /**
     * @throws DevnetHook.DevnetHookMissingException with {@code caduceus.anchor.devnet-bootstrap=true} and no devnet
     *                                               module on the classpath: the application does not start
     */
    public static void register(CamelContext context, IngestServices ingest, Optional<FabricSettings> fabric) {
        AnchorSettings settings = AnchorSettings.from(context.getPropertiesComponent()::resolveProperty);
        AnchoringService service = null;
        String unavailable = "anchoring is disabled (caduceus.anchor.enabled=false)";
        if (settings.enabled()) {
            LedgerSource source = fabric.isPresent() ? FabricLedgerSource.of(fabric.get().bridge())
                    : KafkaLedgerSource.of(KafkaClients.of(context), settings.ledgerTopic(), settings.pollTimeout(),
                            settings.kafkaCallTimeout(), settings.maxBatch());
            try {
                service = AnchoringService.open(settings, source, chain(settings));
            } catch (DevnetHook.DevnetHookMissingException e) {
                throw e;
            } catch (RuntimeException e) {
                // HL7 and FHIR ingest do not depend on the bridge: they keep running, and the status says why
                // there are no proofs. The log's files are left untouched for the operator.
                unavailable = "the anchoring log cannot be opened: " + e.getMessage();
                LOG.error("public anchoring is off: {}", unavailable, e);
                context.getRegistry().bind("anchoring", new AnchoringApi(null, ingest, unavailable));
                return;
            }
            context.getRegistry().bind(SERVICE, service);
            // Also closed when the context stops, for embedders (tests) that stop Camel without Main's afterStop.
            try {
                context.addService(closedWithCamel(service), true, false);
            } catch (Exception e) {
                throw new IllegalStateException("cannot register the anchoring service with Camel", e);
            }
        } else {
            LOG.info("public anchoring is disabled (caduceus.anchor.enabled=false)");
        }
        context.getRegistry().bind("anchoring", new AnchoringApi(service, ingest, unavailable));
    }

    /**
     * The Ethereum adapter as the bridge's chain port, from the {@code caduceus.anchor.*} and {@code ethereum.*}
     * settings (devnet/bootstrap's DevnetBootstrap reads the same ones). The configuration is built at the first
     * connection, so a mistaken setting shows as the chain's problem at every tick, as a node that is down does.
     */
    static AnchoringChain chain(AnchorSettings settings) {
        return EthereumAnchoring.chain(() -> new AnchorRegistryConfig(
                        new EthereumEndpoint(settings.rpcUrl(), settings.chainId(), settings.rpcTimeout()), null,
                        settings.gasLimit(), settings.deployGasLimit(), settings.receiptTimeout(), Duration.ofMillis(250)),
                settings.keystoreFile(), settings.passwordFile());
    }

    /** The feed starts when the service is opened, so that it does not depend on when Camel starts services. */
    private static Service closedWithCamel(AnchoringService service) {
        return new Service() {
            @Override
            public void start() {
            }

            @Override
            public void stop() {
                service.close();
            }
        };
    }

    /** Stops the feed and closes the log; after the routes stopped, so no tick or request is using them. */
    public static void stop(CamelContext context) {
        if (context == null) {
            return;
        }
        AnchoringService service = context.getRegistry().lookupByNameAndType(SERVICE, AnchoringService.class);
        if (service != null) {
            service.close();
        }
    }
}
