package io.caduceus.edge.fhir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.camel.CamelContext;

/**
 * The options of the legacy FHIR server poller; documented where they are declared, in application.properties
 * ("Polling a legacy FHIR server").
 *
 * @param since the {@code _lastUpdated} instant a type without a checkpoint starts from, as the server writes it;
 *              null: from the server's oldest content
 */
record FhirPollSettings(boolean enabled, URI baseUrl, List<String> resourceTypes, int pageSize, Duration connectTimeout,
        Duration requestTimeout, long maxPageBytes, Path bearerTokenFile, String username, Path passwordFile,
        String clientId, String since, Path checkpointFile) {

    FhirPollSettings {
        resourceTypes = List.copyOf(resourceTypes);
        if (enabled) {
            requireUsable(baseUrl, resourceTypes, pageSize, connectTimeout, requestTimeout, maxPageBytes, bearerTokenFile,
                    username, passwordFile, clientId, checkpointFile);
        }
    }

    /** Only checked when polling is enabled: a disabled poller's options may stay empty. */
    private static void requireUsable(URI baseUrl, List<String> resourceTypes, int pageSize, Duration connectTimeout,
            Duration requestTimeout, long maxPageBytes, Path bearerTokenFile, String username, Path passwordFile,
            String clientId, Path checkpointFile) {
        if (baseUrl == null || !("http".equals(baseUrl.getScheme()) || "https".equals(baseUrl.getScheme()))
                || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("caduceus.fhir.poll.base-url must be an absolute http(s) URL");
        }
        if (resourceTypes.isEmpty() || resourceTypes.stream().anyMatch(t -> !t.matches("[A-Z][A-Za-z]{0,63}"))) {
            throw new IllegalArgumentException("caduceus.fhir.poll.resource-types must list FHIR resource type names");
        }
        if (pageSize < 1 || maxPageBytes < 1 || connectTimeout.isNegative() || connectTimeout.isZero()
                || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("caduceus.fhir.poll: page-size, max-page-bytes and the timeouts must be positive");
        }
        if (bearerTokenFile != null && (username != null || passwordFile != null)) {
            throw new IllegalArgumentException("caduceus.fhir.poll.auth: set a bearer token file or basic auth, not both");
        }
        if ((username == null) != (passwordFile == null)) {
            throw new IllegalArgumentException("caduceus.fhir.poll.auth: basic auth needs both username and password-file");
        }
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalArgumentException("caduceus.fhir.poll.client-id must name the legacy server");
        }
        if (checkpointFile == null) {
            throw new IllegalArgumentException("caduceus.fhir.poll.checkpoint-file is required");
        }
    }

    static FhirPollSettings from(CamelContext context) {
        String baseUrl = property(context, "caduceus.fhir.poll.base-url", "");
        return new FhirPollSettings(
                Boolean.parseBoolean(property(context, "caduceus.fhir.poll.enabled", "false")),
                baseUrl.isEmpty() ? null : URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl),
                Arrays.stream(property(context, "caduceus.fhir.poll.resource-types", "Patient").split(","))
                        .map(String::strip).filter(s -> !s.isEmpty()).distinct().toList(),
                Integer.parseInt(property(context, "caduceus.fhir.poll.page-size", "100")),
                Duration.ofMillis(Long.parseLong(property(context, "caduceus.fhir.poll.connect-timeout-ms", "10000"))),
                Duration.ofMillis(Long.parseLong(property(context, "caduceus.fhir.poll.request-timeout-ms", "30000"))),
                Long.parseLong(property(context, "caduceus.fhir.poll.max-page-bytes", "67108864")),
                path(property(context, "caduceus.fhir.poll.auth.bearer-token-file", "")),
                blankToNull(property(context, "caduceus.fhir.poll.auth.username", "")),
                path(property(context, "caduceus.fhir.poll.auth.password-file", "")),
                property(context, "caduceus.fhir.poll.client-id", "legacy-fhir"),
                blankToNull(property(context, "caduceus.fhir.poll.since", "")),
                path(property(context, "caduceus.fhir.poll.checkpoint-file", "")));
    }

    private static String property(CamelContext context, String key, String defaultValue) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::strip).orElse(defaultValue);
    }

    private static Path path(String value) {
        return value.isBlank() ? null : Path.of(value);
    }

    private static String blankToNull(String value) {
        return value.isBlank() ? null : value;
    }
}
