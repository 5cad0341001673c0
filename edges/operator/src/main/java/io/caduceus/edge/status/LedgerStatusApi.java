package io.caduceus.edge.status;

import io.caduceus.adapters.fabric.FabricLedger;
import io.caduceus.adapters.kafka.ledger.LedgerForwarding;
import io.caduceus.core.json.CanonicalJson;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The bean {@code ledgerStatus} of camel/status.camel.yaml: {@code GET /api/ledger}, the private ledger's state (peer
 * heights, Kafka-to-Fabric forwarding and its lag), or that the middleware runs without Fabric and why.
 */
public final class LedgerStatusApi {

    private final FabricLedger ledger;
    private final LedgerForwarding forwarding;

    private LedgerStatusApi(FabricLedger ledger, LedgerForwarding forwarding) {
        this.ledger = ledger;
        this.forwarding = forwarding;
    }

    public static LedgerStatusApi of(FabricLedger ledger, LedgerForwarding forwarding) {
        return new LedgerStatusApi(ledger, forwarding);
    }

    public static LedgerStatusApi withoutFabric() {
        return new LedgerStatusApi(null, null);
    }

    public void status(Exchange exchange) {
        Message message = exchange.getMessage();
        Map<String, Object> body = new LinkedHashMap<>();
        if (ledger != null) {
            body.put("enabled", true);
            body.putAll(ledger.status());
            body.putAll(forwarding.status());
        } else {
            body.put("enabled", false);
            body.put("detail", "no Fabric configured (fabric.channel is unset or caduceus.fabric.enabled=false): ledger "
                    + "entries stay on Kafka and the bridge anchors the Kafka topic");
        }
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(CanonicalJson.write(body));
    }
}
