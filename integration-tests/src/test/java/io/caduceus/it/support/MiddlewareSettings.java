package io.caduceus.it.support;

import io.caduceus.it.InProcessMiddleware;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Configuration a test gives the middleware, in parts that several tests share. */
public final class MiddlewareSettings {

    private MiddlewareSettings() {
    }

    /** The parts together, later ones winning; the result may be changed further. */
    @SafeVarargs
    public static Map<String, String> of(Map<String, String>... parts) {
        Map<String, String> all = new HashMap<>();
        for (Map<String, String> part : parts) {
            all.putAll(part);
        }
        return all;
    }

    /** A middleware process listening on these ports, its state (and generated secrets) in {@code data}. */
    public static Map<String, String> process(int httpPort, int mllpPort, Path data) {
        return Map.of("camel.server.port", String.valueOf(httpPort), "caduceus.mllp.port", String.valueOf(mllpPort),
                "caduceus.data.directory", data.toString(), "caduceus.secrets.generate-if-missing", "true");
    }

    /**
     * Kafka topics of this run alone ({@code it.<name>.ledger-entries.<suffix>}, likewise the quarantine), so that a
     * test never reads what another run left on the devnet's broker.
     */
    public static Map<String, String> ownTopics(String name, String suffix) {
        return Map.of("caduceus.kafka.topic.ledger-entries", "it." + name + ".ledger-entries." + suffix,
                "caduceus.kafka.topic.quarantine", "it." + name + ".quarantine." + suffix);
    }

    /** Fabric on, with an access-events topic and a consumer group of this run alone, batches cut after 100 ms. */
    public static Map<String, String> ownFabric(String name, String suffix) {
        return Map.of(InProcessMiddleware.FABRIC_ENABLED, "true",
                "caduceus.kafka.topic.access-events", "it." + name + ".access-events." + suffix,
                "caduceus.fabric.consumer-group", "it." + name + "." + suffix,
                "caduceus.fabric.batch.max-delay-ms", "100");
    }

    /**
     * Anchoring on the devnet chain as soon as there is something to anchor: the devnet bootstrap (key, funding,
     * registry), an anchor every 2 entries or every second, checked every 250 ms.
     */
    public static Map<String, String> quickAnchoring(int confirmations) {
        return Map.of("caduceus.anchor.devnet-bootstrap", "true",
                "caduceus.anchor.max-entries", "2",
                "caduceus.anchor.max-interval-ms", "1000",
                "caduceus.anchor.tick-ms", "250",
                "caduceus.anchor.confirmations", Integer.toString(confirmations));
    }
}
