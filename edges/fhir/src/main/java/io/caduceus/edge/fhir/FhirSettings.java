package io.caduceus.edge.fhir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.camel.CamelContext;

/** The FHIR inbound options; documented where they are declared, in application.properties ("FHIR R4 inbound"). */
record FhirSettings(int maxRequestBytes, int maxNestingDepth, Path profilesDirectory, List<String> resourceTypes,
        String baseUrl, String issuer, String audience, Path jwksFile, Path publicKeyFile, Duration clockSkew,
        boolean publicMetadata) {

    static FhirSettings from(CamelContext context) {
        return new FhirSettings(
                Integer.parseInt(property(context, "caduceus.fhir.max-request-bytes", "5242880")),
                Integer.parseInt(property(context, "caduceus.fhir.max-nesting-depth", "64")),
                path(property(context, "caduceus.fhir.profiles-directory", "")),
                Arrays.stream(property(context, "caduceus.fhir.resource-types", "Patient").split(","))
                        .map(String::strip).filter(s -> !s.isEmpty()).distinct().toList(),
                stripSlash(property(context, "caduceus.fhir.base-url", "")),
                property(context, "caduceus.fhir.auth.issuer", ""),
                property(context, "caduceus.fhir.auth.audience", ""),
                path(property(context, "caduceus.fhir.auth.jwks-file", "")),
                path(property(context, "caduceus.fhir.auth.public-key-file", "")),
                Duration.ofSeconds(Long.parseLong(property(context, "caduceus.fhir.auth.clock-skew-seconds", "60"))),
                Boolean.parseBoolean(property(context, "caduceus.fhir.auth.public-metadata", "true")));
    }

    private static String property(CamelContext context, String key, String defaultValue) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::strip).orElse(defaultValue);
    }

    private static Path path(String value) {
        return value.isBlank() ? null : Path.of(value);
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
