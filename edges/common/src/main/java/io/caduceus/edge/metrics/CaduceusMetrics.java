package io.caduceus.edge.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;

/**
 * Caduceus's meters, in the Prometheus registry that Camel's Micrometer support also fills (bound as
 * {@value MicrometerConstants#METRICS_REGISTRY_NAME}, so one scrape shows both). Beans record through this class only,
 * so names, units and labels are decided in one place: Prometheus conventions (base units, {@code _total} counters)
 * and no label that could identify a patient. The only message-derived labels are the sender ({@code APP^FACILITY},
 * MSH-3 and MSH-4) and the message type (MSH-9), each bounded by a {@link LabelLimiter}.
 *
 * <p>With {@code caduceus.metrics.enabled=false} every method is a no-op on a registry that keeps nothing, and the
 * endpoint answers 404.
 */
public final class CaduceusMetrics {

    public static final String BEAN = "caduceusMetrics";

    /** Buckets of the HL7 acknowledgement latency: the load tool's p99 is tens of milliseconds on the devnet. */
    private static final Duration[] ACK_BUCKETS = durations(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);
    /** Mapping and vault writes are in-process or one round trip: finer at the low end. */
    private static final Duration[] FAST_BUCKETS = durations(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 1);

    private final boolean enabled;
    private final MeterRegistry registry;
    private final PrometheusMeterRegistry prometheus;
    private final LabelLimiter senders;
    private final LabelLimiter messageTypes;
    private final Timer mappingTime;
    private final Timer vaultWrite;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> lastSeenMillis = new ConcurrentHashMap<>();

    private CaduceusMetrics(boolean enabled, MeterRegistry registry, int maxSenders, int maxMessageTypes) {
        this.enabled = enabled;
        this.registry = registry;
        this.prometheus = registry instanceof PrometheusMeterRegistry p ? p : null;
        this.senders = new LabelLimiter(maxSenders);
        this.messageTypes = new LabelLimiter(maxMessageTypes);
        this.mappingTime = Timer.builder("caduceus.hl7.mapping")
                .description("Time to parse an HL7 v2 message and map it to a FHIR bundle")
                .serviceLevelObjectives(FAST_BUCKETS).register(registry);
        this.vaultWrite = Timer.builder("caduceus.vault.write")
                .description("Time to write one record (bundle and original, encrypted) to the vault")
                .serviceLevelObjectives(FAST_BUCKETS).register(registry);
    }

    /** Metrics that measure nothing: for beans built without an application (unit tests) and for metrics off. */
    public static CaduceusMetrics disabled() {
        return new CaduceusMetrics(false, new CompositeMeterRegistry(), 1, 1);
    }

    /** A fresh Prometheus registry of its own, for tests that read what the beans recorded. */
    static CaduceusMetrics standalone(int maxSenders, int maxMessageTypes) {
        return new CaduceusMetrics(true, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), maxSenders,
                maxMessageTypes);
    }

    /**
     * The application's metrics from its configuration ({@code caduceus.metrics.*}), bound as {@value #BEAN}. The
     * Prometheus registry is the one Camel's Micrometer support uses: taken from the Camel registry when that support
     * started first, otherwise created and bound there for it to find.
     */
    public static CaduceusMetrics register(CamelContext context) {
        CaduceusMetrics metrics;
        if (Boolean.parseBoolean(context.resolvePropertyPlaceholders("{{caduceus.metrics.enabled:true}}"))) {
            MeterRegistry found = context.getRegistry().lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                    MeterRegistry.class);
            PrometheusMeterRegistry prometheus;
            if (found instanceof PrometheusMeterRegistry p) {
                prometheus = p;
            } else if (found == null) {
                prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, prometheus);
            } else {
                throw new IllegalStateException("the bean " + MicrometerConstants.METRICS_REGISTRY_NAME + " is a "
                        + found.getClass().getName() + ", not the Prometheus registry /observe/metrics serves");
            }
            metrics = new CaduceusMetrics(true, prometheus,
                    Integer.parseInt(context.resolvePropertyPlaceholders("{{caduceus.metrics.max-senders:200}}")),
                    Integer.parseInt(context.resolvePropertyPlaceholders("{{caduceus.metrics.max-message-types:100}}")));
            context.getManagementStrategy().addEventNotifier(new ExchangeMetrics(metrics));
        } else {
            metrics = disabled();
        }
        context.getRegistry().bind(BEAN, metrics);
        return metrics;
    }

    /** The application's metrics, or {@link #disabled()} when none are bound (a context built by a test). */
    public static CaduceusMetrics of(CamelContext context) {
        CaduceusMetrics bound = context.getRegistry().lookupByNameAndType(BEAN, CaduceusMetrics.class);
        return bound == null ? disabled() : bound;
    }

    public boolean enabled() {
        return enabled;
    }

    /** The registry, for gauges over state that other classes own. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Everything in Prometheus text format 0.0.4; empty when metrics are off. */
    public Optional<String> scrape() {
        return prometheus == null ? Optional.empty() : Optional.of(prometheus.scrape());
    }

    /** The bounded labels of one HL7 message, from its MSH segment. */
    public MessageLabels labels(String sendingApplication, String sendingFacility, String messageType,
            String triggerEvent) {
        if (!enabled) {
            return MessageLabels.NONE;
        }
        boolean noSender = isBlank(sendingApplication) && isBlank(sendingFacility);
        boolean noType = isBlank(messageType);
        return new MessageLabels(
                senders.label(noSender ? null : nullToEmpty(sendingApplication) + "^" + nullToEmpty(sendingFacility)),
                messageTypes.label(noType ? null
                        : messageType + (isBlank(triggerEvent) ? "" : "^" + triggerEvent)));
    }

    public void hl7Received(MessageLabels labels, long epochMillis) {
        if (!enabled) {
            return;
        }
        counter("caduceus.hl7.messages.received", "HL7 v2 messages received over MLLP", labels, null).increment();
        AtomicLong lastSeen = lastSeenMillis.get(labels.sender());
        if (lastSeen == null) {
            lastSeen = lastSeenMillis.computeIfAbsent(labels.sender(), sender -> {
                AtomicLong millis = new AtomicLong();
                Gauge.builder("caduceus.hl7.sender.last.message.timestamp.seconds", millis, m -> m.get() / 1000.0)
                        .description("When the sender's last HL7 message was received (Unix time)")
                        .tag("sender", sender).register(registry);
                return millis;
            });
        }
        lastSeen.accumulateAndGet(epochMillis, Math::max);
    }

    /** An acknowledgement went out: {@code code} as sent (AA/AE/AR, or CA/CE/CR in enhanced mode). */
    public void hl7Acknowledged(MessageLabels labels, String code, long latencyNanos) {
        if (!enabled) {
            return;
        }
        counter("caduceus.hl7.messages.acknowledged", "HL7 v2 acknowledgements sent, by code", labels, code).increment();
        timers.computeIfAbsent(code, c -> Timer.builder("caduceus.hl7.ack.latency")
                .description("From receipt of an HL7 v2 message to its acknowledgement (vault and Kafka included)")
                .tag("code", c).serviceLevelObjectives(ACK_BUCKETS).register(registry))
                .record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    public void hl7Quarantined(MessageLabels labels) {
        if (!enabled) {
            return;
        }
        counter("caduceus.hl7.messages.quarantined", "HL7 v2 messages rejected and kept in the quarantine", labels,
                null).increment();
    }

    public void mappingTime(long nanos) {
        mappingTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void vaultWrite(long nanos) {
        vaultWrite.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One record sent to Kafka and acknowledged by the broker (or failed), {@code nanos} after it was handed over. */
    void kafkaSend(String topic, boolean failed, long nanos) {
        timers.computeIfAbsent("kafka|" + topic + "|" + failed, key -> Timer.builder("caduceus.kafka.produce")
                .description("From handing a record to the Kafka producer to the broker's acknowledgement")
                .tags("topic", topic, "outcome", failed ? "error" : "ok")
                .serviceLevelObjectives(FAST_BUCKETS).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One FHIR request answered: {@code operation} is the route (read, search, create...), status the HTTP code. */
    void fhirRequest(String operation, int status, long nanos) {
        String key = "fhir|" + operation + "|" + status;
        Counter counter = counters.get(key);
        if (counter == null) {
            counter = counters.computeIfAbsent(key, k -> Counter.builder("caduceus.fhir.requests")
                    .description("FHIR API requests answered, by operation and HTTP status")
                    .tags("operation", operation, "status", Integer.toString(status)).register(registry));
        }
        counter.increment();
        timers.computeIfAbsent("fhir|" + operation, k -> Timer.builder("caduceus.fhir.request.duration")
                .description("Time to answer a FHIR API request")
                .tag("operation", operation).serviceLevelObjectives(ACK_BUCKETS).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A gauge over state another class owns, read at each scrape (so nothing is computed twice). */
    public <T> void gauge(String name, String description, Tags tags, T owner, ToDoubleFunction<T> value) {
        if (enabled) {
            Gauge.builder(name, owner, value).description(description).tags(tags).strongReference(true)
                    .register(registry);
        }
    }

    /** A counter whose running total another class keeps (an AtomicLong of a status, say). */
    public <T> void functionCounter(String name, String description, T owner, ToDoubleFunction<T> total) {
        if (enabled) {
            FunctionCounter.builder(name, owner, total).description(description).register(registry);
        }
    }

    /** A gauge of a value that costs a query: {@code source} runs on the refresher, the scrape reads the last result. */
    public void refreshedGauge(String name, String description, Tags tags, Supplier<Number> source,
            GaugeRefresher refresher) {
        if (enabled) {
            refresher.gauge(registry, name, description, tags, source);
        }
    }

    private Counter counter(String name, String description, MessageLabels labels, String code) {
        String key = name + '|' + labels.sender() + '|' + labels.messageType() + '|' + code;
        Counter counter = counters.get(key);
        if (counter == null) {
            counter = counters.computeIfAbsent(key, k -> {
                Tags tags = Tags.of("sender", labels.sender(), "message_type", labels.messageType());
                return Counter.builder(name).description(description)
                        .tags(code == null ? tags : tags.and("code", code)).register(registry);
            });
        }
        return counter;
    }

    private static Duration[] durations(double... seconds) {
        Duration[] out = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            out[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
        }
        return out;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** The labels of one HL7 message, bounded; carried on the exchange from intake to acknowledgement. */
    public record MessageLabels(String sender, String messageType) {
        public static final MessageLabels NONE = new MessageLabels(LabelLimiter.UNKNOWN, LabelLimiter.UNKNOWN);
        /** Exchange property holding them. */
        public static final String PROPERTY = "caduceus.metrics.labels";
    }
}
