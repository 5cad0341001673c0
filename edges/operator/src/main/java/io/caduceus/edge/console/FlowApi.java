package io.caduceus.edge.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.camel.Exchange;

/**
 * {@code GET /api/flow}: the live HL7 v2 flow per sender and message type, and each sender's last-seen time, read from
 * the meters {@code /observe/metrics} serves (one source of truth: the console and Prometheus show the same counts).
 * The labels are the metrics' bounded ones ({@code APP^FACILITY}, {@code TYPE^EVENT}, {@code other} past the limits),
 * so nothing here identifies a patient. With metrics off the lists are empty and {@code metricsEnabled} is false.
 */
public final class FlowApi {

    private final Supplier<MeterRegistry> registry;
    private final Clock clock;

    FlowApi(Supplier<MeterRegistry> registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    public void flow(Exchange exchange) {
        OperatorAudit.answer(exchange, 200, snapshot());
        exchange.getMessage().setHeader("Cache-Control", "no-store");
    }

    Map<String, Object> snapshot() {
        MeterRegistry meters = registry.get();
        Instant now = clock.instant();
        Map<String, Map<String, Object>> flows = new TreeMap<>();
        Map<String, Map<String, Object>> senders = new TreeMap<>();
        if (meters != null) {
            for (Counter c : meters.find("caduceus.hl7.messages.received").counters()) {
                Map<String, Object> flow = flow(flows, c);
                flow.put("received", (long) c.count());
                sender(senders, c.getId().getTag("sender")).merge("received", (long) c.count(),
                        (a, b) -> (Long) a + (Long) b);
            }
            for (Counter c : meters.find("caduceus.hl7.messages.quarantined").counters()) {
                flow(flows, c).put("quarantined", (long) c.count());
            }
            for (Counter c : meters.find("caduceus.hl7.messages.acknowledged").counters()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> acks = (Map<String, Object>) flow(flows, c).get("acknowledged");
                acks.merge(String.valueOf(c.getId().getTag("code")), (long) c.count(), (a, b) -> (Long) a + (Long) b);
            }
            for (Gauge g : meters.find("caduceus.hl7.sender.last.message.timestamp.seconds").gauges()) {
                double seconds = g.value();
                if (seconds > 0) {
                    Instant at = Instant.ofEpochMilli((long) (seconds * 1000));
                    Map<String, Object> s = sender(senders, g.getId().getTag("sender"));
                    s.put("lastSeen", at.toString());
                    s.put("secondsSinceLastSeen", Math.max(0, now.getEpochSecond() - at.getEpochSecond()));
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("at", now.toString());
        out.put("metricsEnabled", meters != null && !meters.getMeters().isEmpty());
        out.put("flows", new ArrayList<>(flows.values()));
        out.put("senders", new ArrayList<>(senders.values()));
        return out;
    }

    private static Map<String, Object> flow(Map<String, Map<String, Object>> flows, Counter c) {
        String sender = c.getId().getTag("sender");
        String type = c.getId().getTag("message_type");
        return flows.computeIfAbsent(sender + '\u0000' + type, k -> {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("sender", sender);
            f.put("messageType", type);
            f.put("received", 0L);
            f.put("quarantined", 0L);
            f.put("acknowledged", new TreeMap<String, Object>());
            return f;
        });
    }

    private static Map<String, Object> sender(Map<String, Map<String, Object>> senders, String name) {
        return senders.computeIfAbsent(String.valueOf(name), k -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("sender", k);
            s.put("received", 0L);
            s.put("lastSeen", null);
            s.put("secondsSinceLastSeen", null);
            return s;
        });
    }
}
