package io.caduceus.edge.status;

import io.caduceus.bridge.anchoring.AnchoringService;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.edge.store.StoreDeadline;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Handler;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

/**
 * The middleware's own status for operators ({@code GET /api/status}): its dependencies' health checks one by one,
 * which the public {@code /observe/health} only sums up as UP or DOWN (names, versions and failures tell a stranger
 * what runs here), its memory, and what the MLLP listener's limits did (connections open, refused, closed
 * idle; frames over the size limit). Bound as {@code statusReport} by the wiring, which hands it the MLLP listener's
 * counts: the operator edge reads them without knowing the HL7 edge.
 */
public final class StatusReport {

    private final Supplier<Map<String, Object>> mllp;
    private final LongSupplier acksNotDelivered;

    /**
     * @param mllp             the MLLP listener's limits: connections open, refused, closed idle; frames too large
     * @param acksNotDelivered ACKs whose sender had hung up
     */
    public StatusReport(Supplier<Map<String, Object>> mllp, LongSupplier acksNotDelivered) {
        this.mllp = mllp;
        this.acksNotDelivered = acksNotDelivered;
    }

    @Handler
    public String report(CamelContext context) {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("name", context.getName());
        status.put("camelVersion", context.getVersion());
        status.put("uptimeMillis", context.getUptime().toMillis());
        status.put("routes", context.getRoutes().size());
        status.put("status", context.getStatus().name());
        status.put("heapUsedBytes", heap.getUsed());
        status.put("heapCommittedBytes", heap.getCommitted());
        status.put("heapMaxBytes", heap.getMax());
        status.put("mllp", mllp.get());
        List<Map<String, Object>> checks = new ArrayList<>();
        // "full": every check; the registry's own level (oneline, for /observe/health) would keep only failing ones.
        List<HealthCheck.Result> results = new ArrayList<>(HealthCheckHelper.invoke(context, "full"));
        results.sort(Comparator.comparing(r -> r.getCheck().getId()));
        for (HealthCheck.Result result : results) {
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("name", result.getCheck().getId());
            check.put("status", result.getState().name());
            result.getMessage().ifPresent(message -> check.put("message", message));
            checks.add(check);
        }
        status.put("checks", checks);
        // By type: bound only when anchoring is on and its log opened, under a name the wiring chooses.
        AnchoringService anchoring = context.getRegistry().findSingleByType(AnchoringService.class);
        if (anchoring != null) {
            // Proofs issued with a lost anchor no longer verify: operators see it here, details in /api/anchoring.
            status.put("lostAnchors", anchoring.lostAnchorsSummary());
        }
        status.put("ingest", ingest(context));
        return CanonicalJson.write(status);
    }

    /** How outages showed to senders: answers "please resend" for lack of time or workers, ACKs that found no one. */
    private Map<String, Object> ingest(CamelContext context) {
        Map<String, Object> ingest = new LinkedHashMap<>();
        StoreDeadline deadline = context.getRegistry().lookupByNameAndType("storeDeadline", StoreDeadline.class);
        if (deadline != null) {
            ingest.put("storeTimeoutMillis", deadline.timeout().toMillis());
            ingest.put("storeTimedOut", deadline.timedOut());
            ingest.put("storeRefusedBusy", deadline.refusedBusy());
            ingest.put("storeWorkersBusy", deadline.busyWorkers());
            ingest.put("breaker", deadline.breakerStatus());
        }
        ingest.put("acksNotDelivered", acksNotDelivered.getAsLong());
        return ingest;
    }
}
