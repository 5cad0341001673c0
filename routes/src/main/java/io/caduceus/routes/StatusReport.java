package io.caduceus.routes;

import io.caduceus.core.json.CanonicalJson;
import io.caduceus.edge.mllp.MllpListenerStats;
import io.caduceus.edge.store.StoreDeadline;
import io.caduceus.edge.mllp.MllpConnectionErrors;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Handler;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

/**
 * The middleware's own status for operators ({@code GET /api/status}): its dependencies' health checks one by one,
 * which the public {@code /observe/health} only sums up as UP or DOWN (names, versions and failures tell a stranger
 * what runs here), its memory, and what the MLLP listener's limits did (connections open, refused, closed
 * idle; frames over the size limit).
 */
public final class StatusReport {

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
        MllpListenerStats mllp = context.getRegistry().lookupByNameAndType(MllpListenerStats.BEAN, MllpListenerStats.class);
        if (mllp != null) {
            status.put("mllp", mllp.snapshot());
        }
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
        io.caduceus.bridge.anchoring.AnchoringService anchoring = context.getRegistry().lookupByNameAndType(
                io.caduceus.routes.anchor.AnchoringBeans.SERVICE, io.caduceus.bridge.anchoring.AnchoringService.class);
        if (anchoring != null) {
            // Proofs issued with a lost anchor no longer verify: operators see it here, details in /api/anchoring.
            status.put("lostAnchors", anchoring.lostAnchorsSummary());
        }
        status.put("ingest", ingest(context));
        return CanonicalJson.write(status);
    }

    /** How outages showed to senders: answers "please resend" for lack of time or workers, ACKs that found no one. */
    private static Map<String, Object> ingest(CamelContext context) {
        Map<String, Object> ingest = new LinkedHashMap<>();
        StoreDeadline deadline = context.getRegistry().lookupByNameAndType("storeDeadline", StoreDeadline.class);
        if (deadline != null) {
            ingest.put("storeTimeoutMillis", deadline.timeout().toMillis());
            ingest.put("storeTimedOut", deadline.timedOut());
            ingest.put("storeRefusedBusy", deadline.refusedBusy());
            ingest.put("storeWorkersBusy", deadline.busyWorkers());
            ingest.put("breaker", deadline.breakerStatus());
        }
        MllpConnectionErrors mllp = context.getRegistry().lookupByNameAndType("mllpConnectionErrors", MllpConnectionErrors.class);
        if (mllp != null) {
            ingest.put("acksNotDelivered", mllp.acksNotDelivered());
        }
        return ingest;
    }
}
