package io.caduceus.edge.fhir;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * One page of a FHIR searchset Bundle from the legacy server: its matches, each with its own text exactly as the
 * server wrote it (so it is validated and kept as sent, like a body POSTed to Caduceus), and the next page's link.
 *
 * @param next the {@code Bundle.link} with relation {@code next}, as written (maybe relative), or null on the last page
 */
record FhirSearchPage(List<Match> matches, String next) {

    /**
     * A resource the search matched.
     *
     * @param lastUpdated {@code meta.lastUpdated} as the server wrote it, or null when absent or not an instant
     * @param json        the resource's own JSON text, cut out of the page unchanged
     */
    record Match(String resourceType, String id, String versionId, String lastUpdated, Instant lastUpdatedInstant, String json) {

        /** Identifies this version among the resources sharing its {@code lastUpdated} instant. */
        String versionKey() {
            return resourceType + "/" + id + (versionId == null ? "" : "/_history/" + versionId);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    FhirSearchPage {
        matches = List.copyOf(matches);
    }

    /** @throws LegacyFhirException when the body is not a JSON searchset Bundle; the message never quotes it */
    static FhirSearchPage parse(byte[] body) throws LegacyFhirException {
        List<Match> matches = new ArrayList<>();
        String next = null;
        String resourceType = null;
        String bundleType = null;
        // A streaming parse, because only it tells where each resource's text starts and ends in the page.
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw notABundle();
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "resourceType" -> resourceType = parser.getValueAsString();
                    case "type" -> bundleType = parser.getValueAsString();
                    case "link" -> next = nextLink(parser.readValueAsTree());
                    case "entry" -> {
                        if (value != JsonToken.START_ARRAY) {
                            throw notABundle();
                        }
                        while (parser.nextToken() == JsonToken.START_OBJECT) {
                            Match match = entry(parser, body);
                            if (match != null) {
                                matches.add(match);
                            }
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw notABundle();
            }
        } catch (IOException e) {
            // Not chained: Jackson's messages quote the text they stumbled on.
            throw notABundle();
        }
        if (!"Bundle".equals(resourceType) || !"searchset".equals(bundleType)) {
            throw notABundle();
        }
        return new FhirSearchPage(matches, next);
    }

    /** One Bundle.entry, the parser on its START_OBJECT; null for entries that are not matches (includes, outcomes). */
    private static Match entry(JsonParser parser, byte[] body) throws IOException, LegacyFhirException {
        JsonNode resource = null;
        String json = null;
        String mode = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("resource".equals(field) && value == JsonToken.START_OBJECT) {
                int start = Math.toIntExact(parser.currentTokenLocation().getByteOffset());
                resource = parser.readValueAsTree();
                int end = Math.toIntExact(parser.currentTokenLocation().getByteOffset()) + 1;
                json = new String(body, start, end - start, StandardCharsets.UTF_8);
            } else if ("search".equals(field) && value == JsonToken.START_OBJECT) {
                JsonNode search = parser.readValueAsTree();
                mode = search.path("mode").asText(null);
            } else {
                parser.skipChildren();
            }
        }
        if (mode != null && !"match".equals(mode)) {
            return null;
        }
        if (resource == null) {
            throw new LegacyFhirException("a search Bundle entry has no resource");
        }
        String lastUpdated = resource.path("meta").path("lastUpdated").asText(null);
        return new Match(resource.path("resourceType").asText(null), resource.path("id").asText(null),
                resource.path("meta").path("versionId").asText(null), instant(lastUpdated) == null ? null : lastUpdated,
                instant(lastUpdated), json);
    }

    private static String nextLink(JsonNode links) throws LegacyFhirException {
        if (links == null || !links.isArray()) {
            throw notABundle();
        }
        for (JsonNode link : links) {
            if ("next".equals(link.path("relation").asText(null)) && link.path("url").isTextual()) {
                return link.path("url").asText();
            }
        }
        return null;
    }

    /** A FHIR instant (seconds and a zone are required), or null. */
    static Instant instant(String value) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static LegacyFhirException notABundle() {
        return new LegacyFhirException("the answer is not a FHIR JSON searchset Bundle");
    }
}
