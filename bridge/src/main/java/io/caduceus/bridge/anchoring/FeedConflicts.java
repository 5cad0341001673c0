package io.caduceus.bridge.anchoring;

import io.caduceus.bridge.AppendResult;
import io.caduceus.core.domain.RecordId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Record ids that reached the anchoring log with a second, different commitment: the first commitment stands and is
 * anchored, the second is refused. Each is logged once and the latest few are shown in the status, for an operator to
 * find the message (or the writer) behind it. Record ids are hashes of sender and control id, not patient data.
 */
public final class FeedConflicts {

    private static final Logger LOG = LoggerFactory.getLogger(FeedConflicts.class);
    private static final int SHOWN = 20;

    private final AtomicLong count = new AtomicLong();
    private final Deque<String> latest = new ArrayDeque<>();

    public void record(AppendResult result, String where) {
        for (RecordId id : result.conflicts()) {
            count.incrementAndGet();
            LOG.error("record {} arrived again with another commitment ({}): refused, the first commitment stands",
                    id.value(), where);
            synchronized (latest) {
                latest.addFirst(id.value());
                while (latest.size() > SHOWN) {
                    latest.removeLast();
                }
            }
        }
    }

    public long count() {
        return count.get();
    }

    public List<String> latest() {
        synchronized (latest) {
            return new ArrayList<>(latest);
        }
    }
}
