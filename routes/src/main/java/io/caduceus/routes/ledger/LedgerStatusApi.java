package io.caduceus.routes.ledger;

import io.caduceus.core.json.CanonicalJson;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The bean {@code ledgerStatus} of camel/status.camel.yaml: {@code GET /api/ledger}, the private ledger's state (peer
 * heights, Kafka-to-Fabric forwarding and its lag), or that the middleware runs without Fabric and why.
 */
public final class LedgerStatusApi {

    private final Optional<FabricLedger> fabric;

    public LedgerStatusApi(Optional<FabricLedger> fabric) {
        this.fabric = fabric;
    }

    public void status(Exchange exchange) {
        Message message = exchange.getMessage();
        Map<String, Object> body;
        if (fabric.isPresent()) {
            body = fabric.get().status();
        } else {
            body = new LinkedHashMap<>();
            body.put("enabled", false);
            body.put("detail", "no Fabric configured (fabric.channel is unset or caduceus.fabric.enabled=false): ledger "
                    + "entries stay on Kafka and the bridge anchors the Kafka topic");
        }
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(CanonicalJson.write(body));
    }
}
