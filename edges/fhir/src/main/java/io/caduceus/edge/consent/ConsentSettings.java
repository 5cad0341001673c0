package io.caduceus.edge.consent;

import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * The consent options (application.properties, "Consent"): which reads need a grant, and how long a ledger answer is
 * trusted before it is asked again.
 *
 * @param mode       {@code caduceus.fhir.read.consent}; defaults to {@link ConsentMode#USER} with Fabric configured,
 *                   {@link ConsentMode#OFF} without
 * @param cacheTime  {@code caduceus.fhir.read.consent.cache-ms}: a grant or revocation made through another middleware
 *                   instance (or straight on the ledger) takes effect on this one's reads within this time
 * @param cacheSize  {@code caduceus.fhir.read.consent.cache-entries}: answers kept (patient and client pairs)
 */
public record ConsentSettings(ConsentMode mode, Duration cacheTime, int cacheSize) {

    static final Duration DEFAULT_CACHE_TIME = Duration.ofSeconds(5);
    static final int DEFAULT_CACHE_SIZE = 10_000;

    public ConsentSettings {
        if (cacheTime.isNegative() || cacheSize < 1) {
            throw new IllegalArgumentException("caduceus.fhir.read.consent.cache-ms must not be negative and "
                    + "cache-entries must be at least 1");
        }
    }

    /**
     * @param ledgerConfigured whether Fabric is configured; enforcing consent without it is a configuration mistake
     *                         that would refuse every read, so it stops the start instead
     */
    public static ConsentSettings from(CamelContext context, boolean ledgerConfigured) {
        PropertiesComponent props = context.getPropertiesComponent();
        ConsentMode mode = props.resolveProperty("caduceus.fhir.read.consent").filter(v -> !v.isBlank())
                .map(ConsentMode::parse).orElse(ledgerConfigured ? ConsentMode.USER : ConsentMode.OFF);
        if (mode != ConsentMode.OFF && !ledgerConfigured) {
            throw new IllegalArgumentException("caduceus.fhir.read.consent=" + mode.code() + " needs the private ledger "
                    + "(fabric.channel set, caduceus.fabric.enabled not false): consent grants live there");
        }
        return new ConsentSettings(mode,
                Duration.ofMillis(Long.parseLong(props.resolveProperty("caduceus.fhir.read.consent.cache-ms")
                        .map(String::strip).orElse(Long.toString(DEFAULT_CACHE_TIME.toMillis())))),
                Integer.parseInt(props.resolveProperty("caduceus.fhir.read.consent.cache-entries").map(String::strip)
                        .orElse(Integer.toString(DEFAULT_CACHE_SIZE))));
    }
}
