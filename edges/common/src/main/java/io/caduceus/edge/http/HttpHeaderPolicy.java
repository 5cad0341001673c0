package io.caduceus.edge.http;

import java.util.Locale;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * Which headers cross the HTTP edge, for every platform-http route (FHIR, operator APIs) on every listener (set as
 * {@code camel.component.platform-http.header-filter-strategy}).
 *
 * <p>Out: an allow-list. A Camel exchange carries request headers, query parameters and whatever the steps set
 * ({@code kafka.KEY}, flags, ids); a deny-list would let the next one through, as it let {@code includeSalt} and a
 * patient pseudonym through before. Only headers an HTTP client is meant to read leave.
 *
 * <p>In: nothing that steers Camel. Request headers and query parameters become exchange headers, and some exchange
 * headers are instructions to components ({@code kafka.OVERRIDE_TOPIC} would send a FHIR write to any topic,
 * {@code CamelHttpResponseCode} would choose the answer): names starting with {@code Camel}, {@code org.apache.camel}
 * or {@code kafka.} are dropped, whatever their case.
 */
public final class HttpHeaderPolicy implements HeaderFilterStrategy {

    /**
     * Lower case: HTTP header names are case-insensitive. Not Content-Length: the server computes it, and the one an
     * exchange carries is the request's (a GET's 0 cut every answer to nothing).
     */
    static final Set<String> RESPONSE_HEADERS = Set.of(
            "content-type", "content-location", "location", "etag", "last-modified", "link",
            "retry-after", "www-authenticate", "allow", "cache-control", "vary",
            "x-caduceus-record-id", "x-caduceus-quarantine-id", "x-caduceus-integrity",
            // The console's (ConsoleAssets): no framing, no sniffing, no script the server did not send.
            "content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy");

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return headerName == null || !RESPONSE_HEADERS.contains(headerName.toLowerCase(Locale.ROOT));
    }

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        if (headerName == null) {
            return true;
        }
        String name = headerName.toLowerCase(Locale.ROOT);
        return name.startsWith("camel") || name.startsWith("org.apache.camel") || name.startsWith("kafka.");
    }
}
