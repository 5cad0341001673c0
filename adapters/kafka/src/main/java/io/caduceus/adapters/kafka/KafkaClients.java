package io.caduceus.adapters.kafka;

import io.caduceus.adapters.kafka.KafkaClientSecurity;
import io.caduceus.adapters.kafka.KafkaClientSecurity.Store;
import io.caduceus.adapters.kafka.RecordMac;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the middleware talks to Kafka, in one place so that no client is forgotten: where the cluster is, the TLS and
 * SASL settings every producer, consumer and admin client gets (the camel-kafka component and each client the
 * middleware makes itself start from {@link #properties}), and the key that authenticates the records the middleware
 * writes to its ledger-entry and access-event topics ({@link #recordMac}).
 *
 * <p>Options: application.properties, "Kafka security" ({@code caduceus.kafka.security.*}, {@code caduceus.kafka.ssl.*},
 * {@code caduceus.kafka.sasl.*}, {@code caduceus.kafka.record-mac.*}).
 */
public final class KafkaClients {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaClients.class);
    /** Registry name of the application's instance. */
    public static final String BEAN = "kafkaClients";

    private final String bootstrapServers;
    private final KafkaClientSecurity security;
    private final RecordMac recordMac;

    private KafkaClients(String bootstrapServers, KafkaClientSecurity security, RecordMac recordMac) {
        this.bootstrapServers = bootstrapServers;
        this.security = security;
        this.recordMac = recordMac;
    }

    public static KafkaClients create(String bootstrapServers, KafkaClientSecurity security, RecordMac recordMac) {
        return new KafkaClients(bootstrapServers, security, recordMac);
    }

    /**
     * Reads the options, binds the result as {@value #BEAN} and gives the camel-kafka component the same security
     * settings. After the ingest services opened: the record MAC key may be derived from the pseudonym secret, which
     * the devnet creates there.
     */
    public static KafkaClients register(CamelContext context) {
        KafkaClients clients = from(context.getPropertiesComponent());
        clients.configure(context.getComponent("kafka", KafkaComponent.class).getConfiguration());
        context.getRegistry().bind(BEAN, clients);
        LOG.info("Kafka clients: {} to {}; records authenticated with key {}", clients.security.protocol(),
                clients.bootstrapServers, clients.recordMac.keyId());
        if (!clients.security.tls() && !loopbackOnly(clients.bootstrapServers)) {
            LOG.warn("Kafka at {} is reached without TLS (caduceus.kafka.security.protocol={}): ledger entries and "
                    + "pseudonyms cross the network in clear", clients.bootstrapServers, clients.security.protocol());
        }
        return clients;
    }

    /** The application's instance, bound by {@link #register}. */
    public static KafkaClients of(CamelContext context) {
        KafkaClients clients = context.getRegistry().lookupByNameAndType(BEAN, KafkaClients.class);
        if (clients == null) {
            throw new IllegalStateException("the Kafka clients are not registered yet");
        }
        return clients;
    }

    static KafkaClients from(PropertiesComponent props) {
        KafkaClientSecurity security = new KafkaClientSecurity(
                string(props, "caduceus.kafka.security.protocol", "PLAINTEXT"),
                store(props, "caduceus.kafka.ssl.trust-store"),
                store(props, "caduceus.kafka.ssl.key-store"),
                path(props, "caduceus.kafka.ssl.key-password-file"),
                Boolean.parseBoolean(string(props, "caduceus.kafka.ssl.verify-hostname", "true")),
                string(props, "caduceus.kafka.sasl.mechanism", ""),
                path(props, "caduceus.kafka.sasl.jaas-config-file"));
        // Read once now, so that settings naming a missing file stop the start instead of every later connection.
        security.clientProperties();
        Path keyFile = path(props, "caduceus.kafka.record-mac.key-file");
        byte[] key = keyFile != null ? readSecret(keyFile) : RecordMac.deriveKey(readSecret(Path.of(
                string(props, "caduceus.secrets.pseudonym-secret-file", "data/secrets/pseudonym.key"))));
        List<byte[]> previous = new ArrayList<>();
        for (String file : string(props, "caduceus.kafka.record-mac.previous-key-files", "").split(",")) {
            if (!file.isBlank()) {
                previous.add(readSecret(Path.of(file.strip())));
            }
        }
        return new KafkaClients(string(props, "kafka.bootstrap.servers", "127.0.0.1:19092"), security,
                RecordMac.withKeys(key, previous));
    }

    /**
     * The starting point of every Kafka client the middleware makes itself: the cluster, the client id and the
     * security settings (secrets read from their files now). Callers add their own settings, never security ones.
     */
    public Properties properties(String clientId) {
        Properties p = new Properties();
        p.putAll(security.clientProperties());
        p.put("bootstrap.servers", bootstrapServers);
        p.put("client.id", clientId);
        return p;
    }

    /** The security settings alone, for clients that take their own bootstrap servers. */
    public Map<String, Object> securityProperties() {
        return security.clientProperties();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public RecordMac recordMac() {
        return recordMac;
    }

    /**
     * Gives camel-kafka's producers the same settings: as additional properties, which camel-kafka applies after its
     * own options, so a camel.component.kafka.security-protocol or ssl-* left in some configuration cannot weaken them.
     */
    void configure(KafkaConfiguration configuration) {
        Map<String, Object> additional = configuration.getAdditionalProperties() == null ? new HashMap<>()
                : new HashMap<>(configuration.getAdditionalProperties());
        additional.putAll(security.clientProperties());
        configuration.setAdditionalProperties(additional);
    }

    private static boolean loopbackOnly(String bootstrapServers) {
        for (String server : bootstrapServers.split(",")) {
            String host = server.strip().replaceFirst(":\\d+$", "").replace("[", "").replace("]", "");
            try {
                if (!InetAddress.getByName(host).isLoopbackAddress()) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private static Store store(PropertiesComponent props, String prefix) {
        Path file = path(props, prefix);
        return file == null ? null : new Store(file, string(props, prefix + "-type", "PKCS12"),
                path(props, prefix + "-password-file"));
    }

    private static Path path(PropertiesComponent props, String key) {
        String value = string(props, key, "");
        return value.isEmpty() ? null : Path.of(value);
    }

    private static String string(PropertiesComponent props, String key, String fallback) {
        return props.resolveProperty(key).map(String::strip).orElse(fallback);
    }

    private static byte[] readSecret(Path file) {
        try {
            byte[] secret = Files.readAllBytes(file);
            if (secret.length < RecordMac.MIN_KEY_BYTES) {
                throw new IllegalStateException("secret file " + file + " holds fewer than " + RecordMac.MIN_KEY_BYTES
                        + " bytes");
            }
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read secret file " + file, e);
        }
    }

    @Override
    public String toString() {
        return "KafkaClients[" + bootstrapServers + ", " + security + ", " + recordMac + "]"; // paths only
    }
}
