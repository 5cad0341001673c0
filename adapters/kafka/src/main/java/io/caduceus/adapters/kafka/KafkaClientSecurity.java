package io.caduceus.adapters.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * How a Kafka client of the middleware reaches the cluster: TLS (server verified against a trust store, optionally a
 * client certificate) and SASL authentication, as the Kafka client properties every producer, consumer and admin
 * client gets. Passwords and the JAAS configuration are read from files each time the properties are made, so they
 * never sit in configuration and a replaced file takes effect at the next (re)connection.
 *
 * <p>Holds paths only, never their content, so it can be logged.
 *
 * @param protocol           PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL
 * @param trustStore         the store of CAs the brokers' certificates must chain to; null: the JVM's default
 * @param keyStore           the client's key and certificate for mutual TLS; null: none
 * @param verifyHostname     whether the broker's certificate must name the host connected to
 * @param saslMechanism      PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, ...; required with SASL
 * @param saslJaasConfigFile a file holding the JAAS login line (e.g. ScramLoginModule with username and password)
 */
public record KafkaClientSecurity(String protocol, Store trustStore, Store keyStore, Path keyPasswordFile,
                                  boolean verifyHostname, String saslMechanism, Path saslJaasConfigFile) {

    private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

    /** A key or trust store: its file, type (PKCS12, JKS, PEM) and a file whose first line is its password. */
    public record Store(Path file, String type, Path passwordFile) {
        public Store {
            if (file == null) {
                throw new KafkaSecurityException("a Kafka key or trust store needs a file");
            }
            type = type == null || type.isBlank() ? "PKCS12" : type.strip();
        }
    }

    /** Plain TCP, no authentication: the devnet's broker. */
    public static final KafkaClientSecurity PLAINTEXT = new KafkaClientSecurity("PLAINTEXT", null, null, null, true,
            null, null);

    public KafkaClientSecurity {
        protocol = protocol == null || protocol.isBlank() ? "PLAINTEXT" : protocol.strip().toUpperCase(java.util.Locale.ROOT);
        if (!PROTOCOLS.contains(protocol)) {
            throw new KafkaSecurityException("the Kafka security protocol must be one of " + PROTOCOLS + ", not " + protocol);
        }
        saslMechanism = saslMechanism == null || saslMechanism.isBlank() ? null : saslMechanism.strip();
        if (sasl(protocol) && (saslMechanism == null || saslJaasConfigFile == null)) {
            throw new KafkaSecurityException("Kafka security protocol " + protocol
                    + " needs a SASL mechanism and a JAAS configuration file");
        }
    }

    /** Whether the connection is encrypted (SSL or SASL_SSL). */
    public boolean tls() {
        return protocol.endsWith("SSL");
    }

    /**
     * The Kafka client properties for these settings, secrets read from their files now.
     *
     * @throws KafkaSecurityException when a file cannot be read (the message names the file, never its content)
     */
    public Map<String, Object> clientProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("security.protocol", protocol);
        if (tls()) {
            // Kafka verifies the host name by default; an empty algorithm is how it is switched off.
            p.put("ssl.endpoint.identification.algorithm", verifyHostname ? "https" : "");
            if (trustStore != null) {
                p.put("ssl.truststore.location", trustStore.file().toString());
                p.put("ssl.truststore.type", trustStore.type());
                if (trustStore.passwordFile() != null) {
                    p.put("ssl.truststore.password", firstLine(trustStore.passwordFile()));
                }
            }
            if (keyStore != null) {
                p.put("ssl.keystore.location", keyStore.file().toString());
                p.put("ssl.keystore.type", keyStore.type());
                if (keyStore.passwordFile() != null) {
                    p.put("ssl.keystore.password", firstLine(keyStore.passwordFile()));
                }
                if (keyPasswordFile != null) {
                    p.put("ssl.key.password", firstLine(keyPasswordFile));
                }
            }
        }
        if (sasl(protocol)) {
            p.put("sasl.mechanism", saslMechanism);
            // One line: a JAAS entry split over lines in the file is still one entry.
            p.put("sasl.jaas.config", read(saslJaasConfigFile).strip().replaceAll("\\s*\\R\\s*", " "));
        }
        return p;
    }

    private static boolean sasl(String protocol) {
        return protocol.startsWith("SASL_");
    }

    private static String firstLine(Path file) {
        String content = read(file);
        int end = content.indexOf('\n');
        return (end < 0 ? content : content.substring(0, end)).strip();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KafkaSecurityException("cannot read the Kafka security file " + file + ": "
                    + e.getClass().getSimpleName(), e);
        }
    }

    /** The Kafka security settings are incomplete, or one of their files cannot be read. */
    public static final class KafkaSecurityException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KafkaSecurityException(String message) {
            super(message);
        }

        KafkaSecurityException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
