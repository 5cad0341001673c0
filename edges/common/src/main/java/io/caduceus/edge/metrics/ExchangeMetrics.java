package io.caduceus.edge.metrics;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Measures from Camel's exchange events what no bean sees: how long the Kafka producer takes to get a record
 * acknowledged (the {@code to: kafka:...} steps of the routes), and every FHIR request's operation, status and
 * duration (the routes named {@code fhir-*} that start from HTTP). Routes stay as they are; a new FHIR route is
 * counted without a change here.
 */
final class ExchangeMetrics extends EventNotifierSupport {

    private static final String FHIR_ROUTE = "fhir-";

    private final CaduceusMetrics metrics;

    ExchangeMetrics(CaduceusMetrics metrics) {
        this.metrics = metrics;
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        // Camel times a send (and then reports it sent) only when a notifier takes its sending event: take those of
        // Kafka endpoints, so that no other send pays for a stopwatch.
        if (event instanceof CamelEvent.ExchangeSendingEvent sending) {
            return kafkaTopic(sending.getEndpoint()) != null;
        }
        return event instanceof CamelEvent.ExchangeSentEvent || event instanceof CamelEvent.ExchangeCompletedEvent
                || event instanceof CamelEvent.ExchangeFailedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof CamelEvent.ExchangeSentEvent sent) {
            String topic = kafkaTopic(sent.getEndpoint());
            if (topic != null) {
                metrics.kafkaSend(topic, sent.getExchange().getException() != null,
                        sent.getTimeTaken() * 1_000_000L);
            }
        } else if (event instanceof CamelEvent.ExchangeCompletedEvent
                || event instanceof CamelEvent.ExchangeFailedEvent) {
            Exchange exchange = ((CamelEvent.ExchangeEvent) event).getExchange();
            String route = exchange.getFromRouteId();
            if (route != null && route.startsWith(FHIR_ROUTE) && exchange.getFromEndpoint() != null
                    && exchange.getFromEndpoint().getEndpointUri().startsWith("platform-http:")) {
                metrics.fhirRequest(route.substring(FHIR_ROUTE.length()), status(exchange),
                        exchange.getClock().elapsed() * 1_000_000L);
            }
        }
    }

    /** The status the client got: the route's, or 500 for an exchange that failed without setting one. */
    static int status(Exchange exchange) {
        Integer code = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (code != null) {
            return code;
        }
        return exchange.isFailed() ? 500 : 200;
    }

    /** The topic of a Kafka endpoint ({@code kafka://caduceus.ledger-entries?...}), or null for any other. */
    static String kafkaTopic(Endpoint endpoint) {
        return kafkaTopic(endpoint == null ? null : endpoint.getEndpointUri());
    }

    static String kafkaTopic(String uri) {
        if (uri == null || !uri.startsWith("kafka:")) {
            return null;
        }
        String rest = uri.substring("kafka:".length());
        while (rest.startsWith("/")) {
            rest = rest.substring(1);
        }
        int query = rest.indexOf('?');
        return query < 0 ? rest : rest.substring(0, query);
    }
}
