package io.caduceus.edge.console;

import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.edge.services.IngestServices;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;

/** Binds the operator console's beans (console.camel.yaml, and steps added to the quarantine and tracker routes). */
public final class ConsoleBeans {

    private ConsoleBeans() {
    }

    public static void register(CamelContext context, IngestServices ingest) {
        Clock clock = Clock.systemUTC();
        OperatorAudit audit = new OperatorAudit(ingest.deploymentKeys().keyFor(DeploymentKeys.Purpose.CALLER_ID), clock);
        Path data = Path.of(context.resolvePropertyPlaceholders("{{caduceus.data.directory}}"));
        context.getRegistry().bind("operatorAudit", audit);
        context.getRegistry().bind("quarantineDiscards", new QuarantineDiscards(ingest::vault, data, clock));
        context.getRegistry().bind("patientTrack", new PatientTrack(ingest::vault, ingest::pseudonymizer, audit));
        context.getRegistry().bind("flowApi", new FlowApi(() -> context.getRegistry().lookupByNameAndType(
                MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class), clock));
        context.getRegistry().bind("consoleAssets", new ConsoleAssets());
    }
}
