package io.caduceus.edge.hl7;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.CamelContext;

/**
 * The options of enhanced-mode application acknowledgements (caduceus.mllp.application-ack.*), documented where they
 * are declared: application.properties. The retry delays are read by the route's error handler in
 * hl7-ingest.camel.yaml; the number of retries by both, so that the last attempt knows it is the last.
 */
record ApplicationAckSettings(ApplicationAckDestinations destinations, Duration connectTimeout, Duration replyTimeout,
        int retries, Tls tls) {

    private static final String PREFIX = "caduceus.mllp.application-ack.";
    static final String TLS_PREFIX = PREFIX + "tls";

    /** TLS to the senders' listeners (caduceus.mllp.application-ack.tls.*): when, and with which stores. */
    record Tls(boolean byDefault, Path trustStore, Path trustStorePasswordFile, Path keyStore, Path keyStorePasswordFile) {
        static final Tls OFF = new Tls(false, null, null, null, null);
    }

    ApplicationAckSettings(ApplicationAckDestinations destinations, Duration connectTimeout, Duration replyTimeout, int retries) {
        this(destinations, connectTimeout, replyTimeout, retries, Tls.OFF);
    }

    static ApplicationAckSettings from(CamelContext context) {
        return new ApplicationAckSettings(
                ApplicationAckDestinations.parse(property(context, ApplicationAckDestinations.PROPERTY, "")),
                Duration.ofMillis(Long.parseLong(property(context, PREFIX + "connect-timeout-ms", "5000"))),
                Duration.ofMillis(Long.parseLong(property(context, PREFIX + "reply-timeout-ms", "30000"))),
                Integer.parseInt(property(context, PREFIX + "retries", "5")),
                new Tls(Boolean.parseBoolean(property(context, TLS_PREFIX + ".enabled", "false")),
                        path(property(context, TLS_PREFIX + ".trust-store", "")),
                        path(property(context, TLS_PREFIX + ".trust-store-password-file", "")),
                        path(property(context, TLS_PREFIX + ".key-store", "")),
                        path(property(context, TLS_PREFIX + ".key-store-password-file", ""))));
    }

    private static Path path(String value) {
        return value.isBlank() ? null : Path.of(value);
    }

    private static String property(CamelContext context, String key, String defaultValue) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::strip).orElse(defaultValue);
    }
}
