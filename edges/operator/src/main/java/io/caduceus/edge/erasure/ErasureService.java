package io.caduceus.edge.erasure;

import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonException;
import io.caduceus.core.pseudonym.PatientPseudonym;
import io.caduceus.core.pseudonym.PatientPseudonymizer;
import io.caduceus.edge.access.ApiAccess;
import io.caduceus.edge.services.IngestServices;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erasure on request (GDPR Art. 17), {@code POST /api/erasure}: destroys the patient's current data key generation in
 * the vault, so every record and quarantined message kept under it becomes unreadable and unfindable for good, while
 * the ledger entries and public anchors stay valid (they only ever held commitments). Later messages about the patient
 * are stored again under a new key generation.
 *
 * <p>Body: {@code {"identifierSystem":"...","identifierValue":"...","reason":"..."}} (pseudonymized here exactly as
 * ingest does) or {@code {"pseudonym":"pp1_...","reason":"..."}}. The reason is required, at most
 * {@value #MAX_REASON_LENGTH} characters, recorded in the erasure event with the authenticated caller and never
 * logged; the identifier is never logged or echoed.
 *
 * <p>No oracle: the answer is the same fixed JSON whether the identifier is known, unknown or already erased. Only an
 * erasure that destroys a key writes an event (nothing else is written, so nobody can pre-erase guessable MRNs); the
 * event is written to Kafka <em>before</em> the key is destroyed, so a failure leaves the key in place and a retry
 * does both, rather than an erasure without its event.
 */
public final class ErasureService {

    static final int MAX_REASON_LENGTH = 500;
    static final String ANSWER = CanonicalJson.write(Map.of("status", "processed"));
    /** The pseudonym to erase once its event is on Kafka; absent when there is nothing to erase. */
    private static final String DUE = "caduceus.erasure.due";
    private static final String KAFKA_KEY = "kafka.KEY";

    private static final Logger LOG = LoggerFactory.getLogger(ErasureService.class);

    private final RecordVault vault;
    private final PatientPseudonymizer pseudonymizer;

    public ErasureService(IngestServices services) {
        this(services.vault(), services.pseudonymizer());
    }

    ErasureService(RecordVault vault, PatientPseudonymizer pseudonymizer) {
        this.vault = vault;
        this.pseudonymizer = pseudonymizer;
    }

    /** Reads the request; when a live key is to be destroyed, leaves its erasure event as the body for Kafka. */
    public void request(Exchange exchange) {
        PatientPseudonym pseudonym;
        String reason;
        try {
            Object parsed;
            try {
                parsed = CanonicalJson.parse(exchange.getMessage().getBody(String.class));
            } catch (JsonException e) {
                throw new InvalidRequest("the body is not valid JSON"); // the parser's message may quote the body
            }
            if (!(parsed instanceof Map<?, ?> request)) {
                throw new InvalidRequest("the request must be a JSON object");
            }
            reason = reason(request.get("reason"));
            if (request.get("pseudonym") instanceof String p) {
                pseudonym = new PatientPseudonym(p);
            } else if (request.get("identifierValue") instanceof String value) {
                Object system = request.get("identifierSystem");
                pseudonym = pseudonymizer.pseudonymize(system instanceof String s ? s : "", value);
            } else {
                throw new InvalidRequest("give either pseudonym or identifierSystem and identifierValue");
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            exchange.getMessage().removeHeaders("*");
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
            exchange.getMessage().setBody(CanonicalJson.write(Map.of("error", "invalid erasure request: "
                    + (e instanceof InvalidRequest ? e.getMessage() : "pseudonym or identifier malformed"))));
            exchange.setRouteStop(true);
            return;
        }
        exchange.getMessage().removeHeaders("*");
        if (!vault.holdsPatient(pseudonym.value())) {
            // Unknown, or nothing stored since an earlier erasure: nothing to destroy, nothing to record.
            exchange.getMessage().setBody(null);
            return;
        }
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event", "patient-erased");
        event.put("patientPseudonym", pseudonym.value());
        event.put("erasedAt", Instant.now().toString());
        event.put("requestedBy", exchange.getProperty(ApiAccess.CALLER_ID, "unknown", String.class));
        event.put("reason", reason);
        exchange.setProperty(DUE, pseudonym.value());
        exchange.getMessage().setHeader(KAFKA_KEY, pseudonym.value());
        exchange.getMessage().setBody(CanonicalJson.write(event));
    }

    /** Whether an erasure event is to go to Kafka (the route's filter). */
    public boolean due(Exchange exchange) {
        return exchange.getProperty(DUE) != null;
    }

    /** Its event is on Kafka: destroys the key, then answers the same fixed JSON as for anything else. */
    public void erase(Exchange exchange) {
        String pseudonym = exchange.getProperty(DUE, String.class);
        if (pseudonym != null) {
            vault.erasePatient(pseudonym);
            LOG.info("a patient was erased on request by {}", exchange.getProperty(ApiAccess.CALLER_ID, "unknown", String.class));
        }
        answer(exchange, 200, ANSWER);
    }

    /** The vault or Kafka failed: nothing was erased without its event; the caller retries. */
    public void failed(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        LOG.warn("erasure request not completed: {}", caught == null ? "unknown" : caught.getClass().getSimpleName());
        answer(exchange, 503, CanonicalJson.write(Map.of("error", "temporarily unable to process the erasure; please retry")));
    }

    private static void answer(Exchange exchange, int status, String body) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(body);
    }

    private static String reason(Object value) {
        if (!(value instanceof String reason) || reason.isBlank()) {
            throw new InvalidRequest("a reason is required");
        }
        if (reason.length() > MAX_REASON_LENGTH) {
            throw new InvalidRequest("the reason is longer than " + MAX_REASON_LENGTH + " characters");
        }
        return reason.strip();
    }

    /** A request at fault; its message is written here and quotes nothing of the request. */
    private static final class InvalidRequest extends IllegalArgumentException {

        private static final long serialVersionUID = 1L;

        InvalidRequest(String message) {
            super(message);
        }
    }
}
