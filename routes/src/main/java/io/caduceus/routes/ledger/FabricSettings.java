package io.caduceus.routes.ledger;

import io.caduceus.adapters.fabric.FabricGatewayConfig;
import io.caduceus.adapters.kafka.ledger.ForwarderSettings;
import io.caduceus.ingest.ledger.LedgerBatcher;
import io.caduceus.ingest.ledger.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * The private ledger's options (application.properties, "Private ledger (Fabric)"): whether the middleware writes
 * ledger entries to Fabric and feeds the bridge from what Fabric committed, and how it reaches the peers. Fabric is on
 * when {@code fabric.channel} is set (the devnet's {@code fabric.properties} sets it) and
 * {@code caduceus.fabric.enabled} is not false. Holds paths, never key material, so it can be logged.
 *
 * @param writer   the identity that submits {@code PutEntries} (hospital org, role writer)
 * @param bridge   the identity that follows committed entries and stores anchor receipts (role bridge)
 * @param peers    every peer whose height the status shows, each reached with an identity of its org
 * @param batcher  how entries are cut into {@code PutEntries} transactions
 */
public record FabricSettings(FabricGatewayConfig writer, FabricGatewayConfig bridge, List<Peer> peers,
                             LedgerBatcher.Config batcher, String ledgerTopic,
                             String consumerGroup, String deadLetterTopic, Duration commitInterval,
                             String accessEventsTopic) {

    /** What the forwarders from Kafka to Fabric read and how they batch. */
    public ForwarderSettings forwarding() {
        return new ForwarderSettings(ledgerTopic, consumerGroup, deadLetterTopic, commitInterval, accessEventsTopic,
                batcher);
    }

    /** A peer of the channel, by the org name of the devnet's properties ({@code hospital}, {@code auditor}). */
    public record Peer(String org, FabricGatewayConfig gateway) {
    }

    static final String[] KEYS = {"msp.id", "peer.endpoint", "peer.host.alias", "peer.tls.ca.cert", "user.cert",
            "user.key"};
    static final String[] GLOBAL_KEYS = {"fabric.channel", "fabric.chaincode", "fabric.deadline.evaluate.ms",
            "fabric.deadline.endorse.ms", "fabric.deadline.submit.ms", "fabric.deadline.commit.status.ms"};

    /** Empty when Fabric is not configured or switched off: the middleware then keeps the Kafka-fed bridge. */
    public static Optional<FabricSettings> from(CamelContext context) {
        PropertiesComponent props = context.getPropertiesComponent();
        String channel = string(props, "fabric.channel", "");
        if (channel.isEmpty() || !Boolean.parseBoolean(string(props, "caduceus.fabric.enabled", "true"))) {
            return Optional.empty();
        }
        Properties gateway = new Properties();
        for (String key : GLOBAL_KEYS) {
            props.resolveProperty(key).ifPresent(v -> gateway.setProperty(key, v.trim()));
        }
        List<String> peerOrgs = List.of(string(props, "fabric.peers", "hospital,auditor").split("\\s*,\\s*"));
        String writerOrg = string(props, "caduceus.fabric.writer-org", "hospital");
        String bridgeOrg = string(props, "caduceus.fabric.bridge-org", "bridge");
        for (String org : concat(peerOrgs, writerOrg, bridgeOrg)) {
            for (String key : KEYS) {
                String name = "fabric." + org + "." + key;
                props.resolveProperty(name).ifPresent(v -> gateway.setProperty(name, v.trim()));
            }
        }
        RetryPolicy retry = new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(200), Duration.ofSeconds(5), 2.0, 0.2,
                Duration.ofMillis(Long.parseLong(string(props, "caduceus.fabric.retry-budget-ms",
                        Long.toString(RetryPolicy.DEFAULT_BUDGET.toMillis())))));
        LedgerBatcher.Config batcher = new LedgerBatcher.Config(
                Integer.parseInt(string(props, "caduceus.fabric.batch.max-entries", "1000")),
                Duration.ofMillis(Long.parseLong(string(props, "caduceus.fabric.batch.max-delay-ms", "250"))),
                Integer.parseInt(string(props, "caduceus.fabric.batch.in-flight", "8")),
                retry);
        return Optional.of(new FabricSettings(
                FabricGatewayConfig.fromProperties(gateway, writerOrg),
                FabricGatewayConfig.fromProperties(gateway, bridgeOrg),
                peerOrgs.stream().filter(o -> !o.isBlank())
                        .map(o -> new Peer(o, FabricGatewayConfig.fromProperties(gateway, o))).toList(),
                batcher,
                string(props, "caduceus.kafka.topic.ledger-entries", "caduceus.ledger-entries"),
                string(props, "caduceus.fabric.consumer-group", "caduceus-fabric-writer"),
                string(props, "caduceus.kafka.topic.ledger-dead-letter", "caduceus.ledger-entries.dead-letter"),
                Duration.ofMillis(Long.parseLong(string(props, "caduceus.fabric.commit-interval-ms", "1000"))),
                string(props, "caduceus.kafka.topic.access-events", "caduceus.access-events")));
    }

    private static List<String> concat(List<String> orgs, String... more) {
        List<String> all = new java.util.ArrayList<>(orgs);
        all.addAll(List.of(more));
        return all;
    }

    private static String string(PropertiesComponent props, String key, String fallback) {
        return props.resolveProperty(key).map(String::trim).orElse(fallback);
    }
}
