package io.caduceus.edge.http;

import io.caduceus.core.json.CanonicalJson;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The step after the gate of an operator API that takes a JSON body: anything not declared JSON is refused with 415
 * and says what to send. Declared as a form ({@code curl -d} does that unless told otherwise), the body is parsed into
 * form fields by the HTTP server before any route sees it, and would otherwise surface as "not valid JSON".
 */
public final class JsonRequests {

    public void require(Exchange exchange) {
        Message message = exchange.getMessage();
        String type = message.getHeader(Exchange.CONTENT_TYPE, String.class);
        String mediaType = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (mediaType.equals("application/json") || mediaType.endsWith("+json")) {
            return;
        }
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 415);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(CanonicalJson.write(Map.of("error", "unsupported-media-type",
                "message", "send the request as JSON, with Content-Type: application/json")));
        exchange.setRouteStop(true);
    }
}
