package io.caduceus.routes.erasure;

import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonException;
import io.caduceus.core.pseudonym.PatientPseudonym;
import io.caduceus.routes.hl7.IngestServices;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erasure on request (GDPR Art. 17), {@code POST /api/erasure}: destroys the patient's data key in the vault, so every
 * record of theirs becomes unreadable for good and their commitments can never be opened or linked again, while the
 * ledger entries and public anchors stay valid (they only ever held commitments). The erasure itself becomes an event
 * on the erasures topic (pseudonym and time, nothing else), bound for the ledger.
 *
 * <p>Body: {@code {"pseudonym":"pp1_..."}} or {@code {"identifierSystem":"...","identifierValue":"..."}}, the latter
 * pseudonymized here exactly as ingest does. The identifier is never logged or echoed.
 */
public final class ErasureService {

    private static final Logger LOG = LoggerFactory.getLogger(ErasureService.class);

    private final IngestServices services;

    public ErasureService(IngestServices services) {
        this.services = services;
    }

    public void erase(Exchange exchange) {
        PatientPseudonym pseudonym;
        try {
            if (!(CanonicalJson.parse(exchange.getMessage().getBody(String.class)) instanceof Map<?, ?> request)) {
                throw new JsonException("the request must be a JSON object");
            }
            if (request.get("pseudonym") instanceof String p) {
                pseudonym = new PatientPseudonym(p);
            } else if (request.get("identifierValue") instanceof String value) {
                Object system = request.get("identifierSystem");
                pseudonym = services.pseudonymizer().pseudonymize(system instanceof String s ? s : "", value);
            } else {
                throw new JsonException("give either pseudonym or identifierSystem and identifierValue");
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
            exchange.getMessage().setBody(CanonicalJson.write(Map.of("error", "invalid erasure request: "
                    + (e instanceof JsonException ? e.getMessage() : "pseudonym or identifier malformed"))));
            exchange.setRouteStop(true);
            return;
        }
        services.vault().erasePatient(pseudonym.value());
        Instant erasedAt = Instant.now();
        LOG.info("patient {} erased on request", pseudonym.value());
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event", "patient-erased");
        event.put("patientPseudonym", pseudonym.value());
        event.put("erasedAt", erasedAt.toString());
        exchange.getMessage().setHeader("kafka.KEY", pseudonym.value());
        exchange.getMessage().setBody(CanonicalJson.write(event));
    }
}
