package io.caduceus.edge.metrics;

import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** The bean {@code metricsEndpoint} of camel/metrics.camel.yaml: {@code GET /observe/metrics} after the gate. */
public final class MetricsEndpoint {

    /** Prometheus text exposition format 0.0.4, what every Prometheus version scrapes. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final CaduceusMetrics metrics;

    public MetricsEndpoint(CaduceusMetrics metrics) {
        this.metrics = metrics;
    }

    public void scrape(Exchange exchange) {
        Message message = exchange.getMessage();
        Optional<String> text = metrics.scrape();
        if (text.isPresent()) {
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            message.setHeader(Exchange.CONTENT_TYPE, CONTENT_TYPE);
            message.setBody(text.get());
        } else {
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
            message.setHeader(Exchange.CONTENT_TYPE, "application/json");
            message.setBody("{\"error\":\"not_found\",\"message\":\"metrics are off (caduceus.metrics.enabled=false)\"}");
        }
    }
}
