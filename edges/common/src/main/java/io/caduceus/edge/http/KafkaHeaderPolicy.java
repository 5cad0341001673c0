package io.caduceus.edge.http;

import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * Which exchange headers become Kafka record headers (set as {@code camel.component.kafka.header-filter-strategy}):
 * only Caduceus's own, named {@code caduceus-*}. Camel's default passes every header that does not start with
 * {@code Camel} or {@code kafka.}: an HTTP route writing to Kafka would publish the request's headers (its client's
 * address, agent, query parameters, once even a bearer token) beside entries that must carry nothing about anyone.
 */
public final class KafkaHeaderPolicy implements HeaderFilterStrategy {

    static final String PREFIX = "caduceus-";

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return headerName == null || !headerName.startsWith(PREFIX);
    }

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return headerName == null || !headerName.startsWith(PREFIX);
    }
}
