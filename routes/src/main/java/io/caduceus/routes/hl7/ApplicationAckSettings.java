package io.caduceus.routes.hl7;

import java.time.Duration;
import org.apache.camel.CamelContext;

/**
 * The options of enhanced-mode application acknowledgements (caduceus.mllp.application-ack.*), documented where they
 * are declared: application.properties. The retry delays are read by the route's error handler in
 * hl7-ingest.camel.yaml; the number of retries by both, so that the last attempt knows it is the last.
 */
record ApplicationAckSettings(ApplicationAckDestinations destinations, Duration connectTimeout, Duration replyTimeout,
        int retries) {

    private static final String PREFIX = "caduceus.mllp.application-ack.";

    static ApplicationAckSettings from(CamelContext context) {
        return new ApplicationAckSettings(
                ApplicationAckDestinations.parse(property(context, ApplicationAckDestinations.PROPERTY, "")),
                Duration.ofMillis(Long.parseLong(property(context, PREFIX + "connect-timeout-ms", "5000"))),
                Duration.ofMillis(Long.parseLong(property(context, PREFIX + "reply-timeout-ms", "30000"))),
                Integer.parseInt(property(context, PREFIX + "retries", "5")));
    }

    private static String property(CamelContext context, String key, String defaultValue) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::strip).orElse(defaultValue);
    }
}
