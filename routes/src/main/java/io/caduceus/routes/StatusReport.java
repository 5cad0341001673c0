package io.caduceus.routes;

import org.apache.camel.CamelContext;
import org.apache.camel.Handler;

/** The middleware's own status for operators ({@code GET /api/status}); dependency readiness is on /observe/health. */
public final class StatusReport {

    @Handler
    public String report(CamelContext context) {
        java.lang.management.MemoryUsage heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return "{\"name\":\"" + context.getName() + "\""
                + ",\"camelVersion\":\"" + context.getVersion() + "\""
                + ",\"uptimeMillis\":" + context.getUptime().toMillis()
                + ",\"routes\":" + context.getRoutes().size()
                + ",\"status\":\"" + context.getStatus() + "\""
                + ",\"heapUsedBytes\":" + heap.getUsed()
                + ",\"heapCommittedBytes\":" + heap.getCommitted()
                + ",\"heapMaxBytes\":" + heap.getMax() + "}";
    }
}
