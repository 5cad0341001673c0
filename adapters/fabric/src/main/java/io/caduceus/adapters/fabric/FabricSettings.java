package io.caduceus.adapters.fabric;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * The private ledger's connection options (application.properties, "Private ledger (Fabric)"): whether the middleware
 * writes ledger entries to Fabric and feeds the bridge from what Fabric committed, and how it reaches the peers. Fabric
 * is on when {@code fabric.channel} is set (the devnet's {@code fabric.properties} sets it) and
 * {@code caduceus.fabric.enabled} is not false. Holds paths, never key material, so it can be logged. How entries are
 * batched and which topics feed the ledger are the Kafka adapter's {@code ForwarderSettings}.
 *
 * @param writer the identity that submits {@code PutEntries} (hospital org, role writer)
 * @param bridge the identity that follows committed entries and stores anchor receipts (role bridge)
 * @param peers  every peer whose height the status shows, each reached with an identity of its org
 */
public record FabricSettings(FabricGatewayConfig writer, FabricGatewayConfig bridge, List<Peer> peers) {

    /** A peer of the channel, by the org name of the devnet's properties ({@code hospital}, {@code auditor}). */
    public record Peer(String org, FabricGatewayConfig gateway) {
    }

    static final String[] KEYS = {"msp.id", "peer.endpoint", "peer.host.alias", "peer.tls.ca.cert", "user.cert",
            "user.key"};
    static final String[] GLOBAL_KEYS = {"fabric.channel", "fabric.chaincode", "fabric.deadline.evaluate.ms",
            "fabric.deadline.endorse.ms", "fabric.deadline.submit.ms", "fabric.deadline.commit.status.ms"};

    /**
     * Empty when Fabric is not configured or switched off: the middleware then keeps the Kafka-fed bridge.
     *
     * @param properties the application's configuration (Camel's {@code PropertiesComponent::resolveProperty})
     */
    public static Optional<FabricSettings> from(Function<String, Optional<String>> properties) {
        String channel = string(properties, "fabric.channel", "");
        if (channel.isEmpty() || !Boolean.parseBoolean(string(properties, "caduceus.fabric.enabled", "true"))) {
            return Optional.empty();
        }
        Properties gateway = new Properties();
        for (String key : GLOBAL_KEYS) {
            properties.apply(key).ifPresent(v -> gateway.setProperty(key, v.trim()));
        }
        List<String> peerOrgs = List.of(string(properties, "fabric.peers", "hospital,auditor").split("\\s*,\\s*"));
        String writerOrg = string(properties, "caduceus.fabric.writer-org", "hospital");
        String bridgeOrg = string(properties, "caduceus.fabric.bridge-org", "bridge");
        List<String> orgs = new ArrayList<>(peerOrgs);
        orgs.addAll(List.of(writerOrg, bridgeOrg));
        for (String org : orgs) {
            for (String key : KEYS) {
                String name = "fabric." + org + "." + key;
                properties.apply(name).ifPresent(v -> gateway.setProperty(name, v.trim()));
            }
        }
        return Optional.of(new FabricSettings(
                FabricGatewayConfig.fromProperties(gateway, writerOrg),
                FabricGatewayConfig.fromProperties(gateway, bridgeOrg),
                peerOrgs.stream().filter(o -> !o.isBlank())
                        .map(o -> new Peer(o, FabricGatewayConfig.fromProperties(gateway, o))).toList()));
    }

    private static String string(Function<String, Optional<String>> properties, String key, String fallback) {
        return properties.apply(key).map(String::trim).orElse(fallback);
    }
}
