package io.caduceus.routes;

import io.caduceus.adapters.kafka.TopicProvisioner;
import io.caduceus.routes.anchor.AnchoringBeans;
import io.caduceus.bridge.anchoring.AnchoringService;
import io.caduceus.edge.fhir.FhirBeans;
import io.caduceus.edge.health.DependencyHealthChecks;
import io.caduceus.edge.consent.ConsentBeans;
import io.caduceus.edge.erasure.ErasureService;
import io.caduceus.edge.hl7.ApplicationAckSender;
import io.caduceus.edge.hl7.ApplicationAcknowledger;
import io.caduceus.edge.hl7.Hl7Acknowledger;
import io.caduceus.edge.hl7.Hl7BatchFolders;
import io.caduceus.edge.hl7.Hl7Batches;
import io.caduceus.adapters.fabric.FabricLedger;
import io.caduceus.adapters.fabric.FabricSettings;
import io.caduceus.routes.ledger.LedgerBeans;
import io.caduceus.edge.status.StatusReport;
import io.caduceus.edge.hl7.Hl7Intake;
import io.caduceus.edge.hl7.Hl7Quarantine;
import io.caduceus.edge.services.IngestServices;
import io.caduceus.edge.hl7.QuarantineAdmin;
import io.caduceus.edge.console.ConsoleBeans;
import io.caduceus.edge.hl7.RecordStore;
import io.caduceus.edge.http.JsonRequests;
import io.caduceus.edge.store.StoreDeadline;
import io.caduceus.adapters.kafka.KafkaClients;
import io.caduceus.adapters.kafka.KafkaRecordSigner;
import io.caduceus.edge.metrics.CaduceusMetrics;
import io.caduceus.edge.metrics.GaugeRefresher;
import io.caduceus.edge.metrics.MetricsEndpoint;
import io.micrometer.core.instrument.Tags;
import io.caduceus.edge.mllp.MllpConnectionErrors;
import io.caduceus.edge.mllp.MllpConnectionLimit;
import io.caduceus.edge.mllp.MllpFrameDecoder;
import io.caduceus.edge.mllp.MllpFrameEncoder;
import io.caduceus.edge.mllp.MllpIdleTimeout;
import io.caduceus.edge.mllp.MllpListenerStats;
import io.caduceus.edge.mllp.MllpTlsCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * The Caduceus middleware. Routes are Camel YAML DSL files (built-in ones from {@code classpath:camel/}, plus any
 * in {@code $CADUCEUS_ROUTES_DIR}), so integration engineers change wiring without recompiling; logic lives in beans.
 *
 * <p>Configuration comes from {@code application.properties}, overridden by every {@code *.properties} file in
 * {@code $CADUCEUS_CONFIG_DIR} (the devnet writes one per service there; a file sorted later overrides an earlier
 * one), overridden by JVM system properties.
 */
public final class CaduceusApplication {

    private CaduceusApplication() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main(CaduceusApplication.class);
        configure(main, System.getenv("CADUCEUS_CONFIG_DIR"), System.getenv("CADUCEUS_ROUTES_DIR"));
        System.exit(main.run(args));
    }

    /**
     * Configures a Camel Main exactly as {@link #main} does; public so tests and embedders start the real application.
     *
     * @param configDir folder of {@code *.properties} overriding the built-in configuration, or null
     * @param routesDir folder of extra YAML routes, or null
     */
    public static void configure(BaseMainSupport main, String configDir, String routesDir) throws IOException {
        if (configDir != null && !configDir.isBlank()) {
            // As property locations (not override properties) so camel.* keys in them configure Camel itself
            // exactly as application.properties does.
            main.setDefaultPropertyPlaceholderLocation(propertyLocations(Path.of(configDir)));
        }
        String routes = "classpath:camel/*.yaml";
        if (routesDir != null && !routesDir.isBlank()) {
            routes += ",file:" + Path.of(routesDir).toAbsolutePath() + "/*.yaml";
        }
        main.configure().withRoutesIncludePattern(routes);
        main.addMainListener(new MainListenerSupport() {
            private IngestServices ingest;
            private StoreDeadline storeDeadline;
            private Thread topicProvisioner;
            private Optional<FabricLedger> fabric = Optional.empty();
            private GaugeRefresher gaugeRefresher;

            @Override
            public void afterConfigure(BaseMainSupport support) {
                CamelContext context = support.getCamelContext();
                // Before anything is opened: a TLS listener without its key material must not get that far.
                MllpTlsCheck.verify(context);
                DependencyHealthChecks.register(context);
                CaduceusMetrics metrics = CaduceusMetrics.register(context);
                context.getRegistry().bind("metricsEndpoint", new MetricsEndpoint(metrics));
                ingest = IngestServices.open(context);
                context.getRegistry().bind("ingestServices", ingest);
                DependencyHealthChecks.registerVault(context, ingest.vault());
                storeDeadline = StoreDeadline.from(context);
                context.getRegistry().bind("storeDeadline", storeDeadline);
                KafkaClients kafka = KafkaClients.register(context);
                context.getRegistry().bind(KafkaRecordSigner.BEAN, new KafkaRecordSigner(kafka.recordMac()));
                context.getRegistry().bind("hl7Intake", Hl7Intake.from(context, ingest, metrics));
                context.getRegistry().bind("recordStore", new RecordStore(ingest, metrics));
                context.getRegistry().bind("hl7Quarantine", new Hl7Quarantine(ingest, metrics));
                ApplicationAcknowledger applicationAcknowledger = ApplicationAcknowledger.from(context);
                context.getRegistry().bind("hl7Acknowledger", new Hl7Acknowledger(applicationAcknowledger, metrics));
                context.getRegistry().bind("applicationAcknowledger", applicationAcknowledger);
                context.getRegistry().bind("applicationAckSender", ApplicationAckSender.from(context));
                context.getRegistry().bind("hl7Batches", new Hl7Batches());
                context.getRegistry().bind("hl7BatchFolders", Hl7BatchFolders.from(context));
                context.getRegistry().bind("quarantineAdmin", new QuarantineAdmin(ingest));
                ConsoleBeans.register(context, ingest);
                context.getRegistry().bind("erasureService", new ErasureService(ingest));
                context.getRegistry().bind("jsonRequests", new JsonRequests());
                MllpListenerStats mllpStats = new MllpListenerStats();
                context.getRegistry().bind(MllpListenerStats.BEAN, mllpStats);
                context.getRegistry().bind("mllpConnectionLimit", new MllpConnectionLimit(intOption(context, "caduceus.mllp.max-connections"), mllpStats));
                context.getRegistry().bind("mllpIdleTimeout", new MllpIdleTimeout(intOption(context, "caduceus.mllp.idle-timeout-seconds"), mllpStats));
                context.getRegistry().bind("mllpFrameDecoder", MllpFrameDecoder.factory(intOption(context, "caduceus.mllp.max-message-bytes"), mllpStats));
                context.getRegistry().bind("mllpFrameEncoder", new MllpFrameEncoder());
                MllpConnectionErrors mllpErrors = new MllpConnectionErrors();
                context.getRegistry().bind("mllpConnectionErrors", mllpErrors);
                context.getRegistry().bind("statusReport", new StatusReport(mllpStats::snapshot, mllpErrors::acksNotDelivered));
                Optional<FabricSettings> fabricSettings = FabricSettings.from(context.getPropertiesComponent()::resolveProperty);
                ConsentBeans.register(context, ingest, fabricSettings.isPresent(), () -> Optional.ofNullable(context
                        .getRegistry().lookupByNameAndType(LedgerBeans.BEAN, FabricLedger.class)).map(FabricLedger::consentLedger));
                FhirBeans.register(context, ingest, () -> Optional.ofNullable(context.getRegistry()
                        .lookupByNameAndType(AnchoringBeans.SERVICE, AnchoringService.class)).map(service -> service::ledgerCommitment));
                fabric = LedgerBeans.register(context, fabricSettings, metrics);
                AnchoringBeans.register(context, ingest, fabricSettings);
                if (metrics.enabled()) {
                    registerStateGauges(context, metrics);
                }
                topicProvisioner = TopicProvisioner.start(context);
            }

            /** Gauges over state the status already keeps, so that nothing is computed twice. */
            private void registerStateGauges(CamelContext context, CaduceusMetrics metrics) {
                gaugeRefresher = new GaugeRefresher(Long.parseLong(
                        context.resolvePropertyPlaceholders("{{caduceus.metrics.refresh-seconds:30}}")));
                IngestServices services = ingest;
                metrics.refreshedGauge("caduceus.vault.records", "Records in the off-chain vault", Tags.empty(),
                        () -> services.vault().recordCount(), gaugeRefresher);
                metrics.refreshedGauge("caduceus.quarantine.messages", "Messages waiting in the quarantine",
                        Tags.empty(), () -> services.vault().quarantinedCount(), gaugeRefresher);
                metrics.gauge("caduceus.ingest.breaker.state", "Store breaker: 0 closed, 1 half-open (one trial "
                        + "message), 2 open (messages answered 'please resend' at once)", Tags.empty(), storeDeadline,
                        StoreDeadline::breakerState);
                metrics.functionCounter("caduceus.ingest.breaker.refused", "Messages answered 'please resend' at once "
                        + "because the store breaker was open", storeDeadline, StoreDeadline::breakerRefused);
                metrics.functionCounter("caduceus.ingest.breaker.opened", "Times the store breaker opened",
                        storeDeadline, StoreDeadline::breakerOpened);
                AnchoringService anchoring = context.getRegistry().lookupByNameAndType(AnchoringBeans.SERVICE,
                        AnchoringService.class);
                if (anchoring != null) {
                    io.caduceus.routes.anchor.AnchoringMetrics.register(anchoring, metrics, gaugeRefresher);
                }
            }

            @Override
            public void afterStop(BaseMainSupport support) {
                if (gaugeRefresher != null) {
                    gaugeRefresher.close();
                }
                AnchoringBeans.stop(support.getCamelContext());
                fabric.ifPresent(FabricLedger::close);
                if (topicProvisioner != null) {
                    topicProvisioner.interrupt();
                }
                if (storeDeadline != null) {
                    storeDeadline.close();
                }
                if (ingest != null) {
                    ingest.close();
                }
            }
        });
    }

    private static int intOption(CamelContext context, String key) {
        String value = context.resolvePropertyPlaceholders("{{" + key + "}}").strip();
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, not '" + value + "'", e);
        }
    }

    static String propertyLocations(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("configuration folder " + dir + " does not exist");
        }
        // Camel lets the FIRST location that defines a key win: files sorted last come first, built-in defaults last.
        StringBuilder locations = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".properties"))
                    .sorted(Comparator.reverseOrder()).toList()) {
                locations.append("file:").append(file.toAbsolutePath()).append(',');
            }
        }
        return locations.append("classpath:application.properties").toString();
    }
}
