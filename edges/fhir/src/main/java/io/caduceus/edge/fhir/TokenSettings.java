package io.caduceus.edge.fhir;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.apache.camel.CamelContext;

/**
 * Where bearer tokens' keys come from besides files, and how long a token may live; documented where they are
 * declared, in application.properties (caduceus.fhir.auth.*).
 */
record TokenSettings(Optional<JwksUrlKeys.Settings> jwks, Duration maxLifetime) {

    static TokenSettings from(CamelContext context) {
        String url = property(context, "caduceus.fhir.auth.jwks-url", "");
        Optional<JwksUrlKeys.Settings> jwks = url.isBlank() ? Optional.empty() : Optional.of(new JwksUrlKeys.Settings(
                URI.create(url),
                positive(context, "caduceus.fhir.auth.jwks-timeout-ms", "5000", Duration::ofMillis),
                positive(context, "caduceus.fhir.auth.jwks-refresh-seconds", "300", Duration::ofSeconds),
                positive(context, "caduceus.fhir.auth.jwks-min-refresh-seconds", "30", Duration::ofSeconds)));
        return new TokenSettings(jwks, positive(context, "caduceus.fhir.auth.max-token-lifetime-seconds",
                String.valueOf(BearerTokenVerifier.DEFAULT_MAX_LIFETIME.toSeconds()), Duration::ofSeconds));
    }

    private static Duration positive(CamelContext context, String key, String defaultValue,
            java.util.function.LongFunction<Duration> unit) {
        long value = Long.parseLong(property(context, key, defaultValue));
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, was " + value);
        }
        return unit.apply(value);
    }

    private static String property(CamelContext context, String key, String defaultValue) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::strip).filter(s -> !s.isEmpty())
                .orElse(defaultValue);
    }
}
