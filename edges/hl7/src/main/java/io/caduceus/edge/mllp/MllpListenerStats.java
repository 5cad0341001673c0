package io.caduceus.edge.mllp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the MLLP listener's limits did since start, for {@code GET /api/status}: connections open now, connections
 * refused at the cap, connections closed for idleness, frames answered AR for their size. Counts only, no addresses.
 */
public final class MllpListenerStats {

    public static final String BEAN = "mllpListenerStats";

    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong closedIdle = new AtomicLong();
    private final AtomicLong oversizeFrames = new AtomicLong();

    /** Counts the connection in unless {@code cap} are open already; false: refuse it. */
    boolean tryOpen(int cap) {
        while (true) {
            int now = open.get();
            if (now >= cap) {
                refused.incrementAndGet();
                return false;
            }
            if (open.compareAndSet(now, now + 1)) {
                accepted.incrementAndGet();
                return true;
            }
        }
    }

    void closed() {
        open.decrementAndGet();
    }

    void closedIdle() {
        closedIdle.incrementAndGet();
    }

    void oversizeFrame() {
        oversizeFrames.incrementAndGet();
    }

    public int openConnections() {
        return open.get();
    }

    public long refusedConnections() {
        return refused.get();
    }

    public long idleClosedConnections() {
        return closedIdle.get();
    }

    public long oversizeFrames() {
        return oversizeFrames.get();
    }

    public Map<String, Object> snapshot() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("openConnections", open.get());
        status.put("acceptedConnections", accepted.get());
        status.put("refusedConnections", refused.get());
        status.put("idleClosedConnections", closedIdle.get());
        status.put("oversizeFrames", oversizeFrames.get());
        return status;
    }
}
