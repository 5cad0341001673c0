package io.caduceus.edge.fhir;

import io.caduceus.core.hash.Sha256;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.ingest.vault.RecordVault;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps content at fault in the vault's quarantine; leaves a notice (no content) as the body for Kafka. */
public final class FhirQuarantine {

    private static final Logger LOG = LoggerFactory.getLogger(FhirQuarantine.class);

    private final RecordVault vault;

    FhirQuarantine(RecordVault vault) {
        this.vault = vault;
    }

    public void quarantine(Exchange exchange) {
        FhirRejection rejection = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, FhirRejection.class);
        FhirExchange.Request request = exchange.getProperty(FhirExchange.REQUEST, FhirExchange.Request.class);
        exchange.removeProperty(FhirExchange.QUARANTINE_ID);
        // Kept apart: a failure while quarantining replaces the caught exception, and the answer is still this one.
        exchange.setProperty(FhirExchange.REJECTION, rejection);
        if (rejection == null || !rejection.quarantine() || request == null) {
            return;
        }
        byte[] body = exchange.getMessage().getBody(byte[].class);
        body = body == null ? new byte[0] : body;
        Map<String, Object> notice = keep(vault, request, rejection, body);
        exchange.setProperty(FhirExchange.QUARANTINE_ID, notice.get("quarantineId"));
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(FhirExchange.KAFKA_KEY, notice.get("quarantineId"));
        exchange.getMessage().setBody(CanonicalJson.write(notice));
    }

    /**
     * Quarantines {@code body} and returns the notice for Kafka. Logged at DEBUG only: refusals are counted and logged
     * in aggregate by {@link FhirRefusals}, so that a flood of bad requests does not flood the log.
     */
    static Map<String, Object> keep(RecordVault vault, FhirExchange.Request request, FhirRejection rejection, byte[] body) {
        String client = request.caller() == null ? "unauthenticated" : request.caller().clientId();
        String originalId = "fhir^" + client + "^" + Sha256.digest(body).hex();
        String reason = rejection.status() + " " + rejection.issues().get(0).type().toCode() + " "
                + rejection.issues().get(0).diagnostics();
        QuarantinedMessage kept = vault.quarantine(originalId, reason, body, request.receivedAt(), rejection.patientPseudonym());
        LOG.debug("FHIR request quarantined as {}: HTTP {} {}", kept.quarantineId(), rejection.status(),
                rejection.issues().get(0).type().toCode());
        Map<String, Object> notice = new LinkedHashMap<>();
        notice.put("quarantineId", kept.quarantineId());
        notice.put("receivedAt", request.receivedAt().toString());
        notice.put("httpStatus", rejection.status());
        notice.put("issueCode", rejection.issues().get(0).type().toCode());
        notice.put("reason", rejection.issues().get(0).diagnostics());
        notice.put("location", rejection.issues().get(0).expression() == null ? "request" : rejection.issues().get(0).expression());
        notice.put("messageType", "fhir:" + (request.type() == null ? "Bundle" : request.type()) + ":" + request.interaction());
        notice.put("source", FhirRecords.source(client).toString());
        notice.put("sizeBytes", body.length);
        return notice;
    }
}
