package io.caduceus.edge.consent;

import io.caduceus.adapters.fabric.ConsentLedger;
import io.caduceus.adapters.fabric.ConsentLedger.AccessDecision;
import io.caduceus.adapters.fabric.ConsentLedger.ConsentChange;
import io.caduceus.ingest.ledger.LedgerException;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonException;
import io.caduceus.core.pseudonym.PatientPseudonym;
import io.caduceus.core.pseudonym.PatientPseudonymizer;
import io.caduceus.edge.access.ApiAccess;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consent API of camel/consent.camel.yaml: a patient's grant to a FHIR client to read their records, kept on the
 * private ledger ({@code GrantAccess}, {@code RevokeAccess}, {@code CheckAccess}).
 *
 * <ul>
 *   <li>{@code POST /api/consents} {@code {"identifierSystem","identifierValue" | "pseudonym", "grantee",
 *       "expiresAt"?}}: grants; 201. Without {@code expiresAt} the grant holds until revoked.</li>
 *   <li>{@code POST /api/consents/revoke} {@code {patient, "grantee"}}: revokes; 200, or 404 when the patient never
 *       granted that client anything.</li>
 *   <li>{@code POST /api/consents/check} {@code {patient, "grantee"}}: the ledger's answer now
 *       ({@code {"allowed","reason"}}), never a kept one.</li>
 * </ul>
 * The patient is named in the body (never in the URL, which ends up in access logs), pseudonymized here exactly as
 * ingest does; answers carry the Fabric transaction id and never the identifier or pseudonym. 400 for a malformed
 * request, 503 (with Retry-After) when no ledger is configured or it did not answer. The ledger records the
 * middleware's organisation as the grantor; who asked (the caller's client id) goes to the log with the transaction
 * id.
 */
public final class ConsentApi {

    private static final Logger LOG = LoggerFactory.getLogger(ConsentApi.class);
    private static final Set<String> GRANT_FIELDS = Set.of("identifierSystem", "identifierValue", "pseudonym",
            "grantee", "expiresAt");
    private static final Set<String> PAIR_FIELDS = Set.of("identifierSystem", "identifierValue", "pseudonym",
            "grantee");
    static final String NO_LEDGER = "consent is kept on the private ledger, and none is configured here (fabric.channel "
            + "unset or caduceus.fabric.enabled=false)";

    private final ConsentChecks checks;
    private final PatientPseudonymizer pseudonymizer;
    private final Clock clock;

    public ConsentApi(ConsentChecks checks, PatientPseudonymizer pseudonymizer) {
        this(checks, pseudonymizer, Clock.systemUTC());
    }

    ConsentApi(ConsentChecks checks, PatientPseudonymizer pseudonymizer, Clock clock) {
        this.checks = checks;
        this.pseudonymizer = pseudonymizer;
        this.clock = clock;
    }

    /** A patient, a grantee and (for a grant) an expiry, as the request named them. */
    private record Request(PatientPseudonym patient, String grantee, Optional<Instant> expiresAt) {
    }

    public void grant(Exchange exchange) {
        handle(exchange, "grant", GRANT_FIELDS, (ledger, request) -> {
            ConsentChange change = ledger.grantAccess(request.patient().value(), request.grantee(), request.expiresAt());
            checks.forget(request.patient().value(), request.grantee());
            logChange(exchange, "granted", change);
            answer(exchange, 201, changeBody("granted", change));
        });
    }

    public void revoke(Exchange exchange) {
        handle(exchange, "revoke", PAIR_FIELDS, (ledger, request) -> {
            ConsentChange change = ledger.revokeAccess(request.patient().value(), request.grantee());
            checks.forget(request.patient().value(), request.grantee());
            logChange(exchange, "revoked", change);
            answer(exchange, 200, changeBody("revoked", change));
        });
    }

    public void check(Exchange exchange) {
        handle(exchange, "check", PAIR_FIELDS, (ledger, request) -> {
            AccessDecision decision = ledger.checkAccess(request.patient().value(), request.grantee());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("allowed", decision.allowed());
            body.put("reason", decision.reason());
            body.put("grantee", request.grantee());
            answer(exchange, 200, body);
        });
    }

    /** Anything the steps above did not answer: nothing is known to have changed; the caller retries. */
    public void failed(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        LOG.warn("consent request not completed: {}", caught == null ? "unknown" : caught.getClass().getSimpleName());
        unavailable(exchange, "the consent request could not be completed; please retry");
    }

    private interface Action {
        void run(ConsentLedger ledger, Request request);
    }

    private void handle(Exchange exchange, String what, Set<String> fields, Action action) {
        Request request;
        try {
            request = parse(exchange.getMessage().getBody(String.class), fields);
        } catch (InvalidRequest e) {
            answer(exchange, 400, Map.of("error", "invalid consent " + what + " request: " + e.getMessage()));
            return;
        }
        Optional<ConsentLedger> ledger = checks.ledger();
        if (ledger.isEmpty()) {
            unavailable(exchange, NO_LEDGER);
            return;
        }
        try {
            action.run(ledger.get(), request);
        } catch (LedgerException e) {
            refused(exchange, what, e);
        }
    }

    private Request parse(String body, Set<String> fields) {
        Object parsed;
        try {
            parsed = CanonicalJson.parse(body == null ? "" : body);
        } catch (JsonException e) {
            throw new InvalidRequest("the body is not valid JSON"); // the parser's message may quote the body
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new InvalidRequest("the request must be a JSON object");
        }
        for (Object field : map.keySet()) {
            // A misspelt "expiresAt" would otherwise grant until revoked. The field name is not echoed.
            if (!fields.contains(field)) {
                throw new InvalidRequest("unknown field; the fields are " + String.join(", ", fields.stream().sorted()
                        .toList()));
            }
        }
        PatientPseudonym patient = patient(map);
        if (!(map.get("grantee") instanceof String grantee) || !ConsentChecks.GRANTEE.matcher(grantee).matches()) {
            throw new InvalidRequest("grantee must be the FHIR client id of the reader: 1 to 64 characters A-Z a-z 0-9 "
                    + "_ . - starting with a letter or digit");
        }
        Optional<Instant> expiresAt = Optional.empty();
        if (map.get("expiresAt") != null) {
            expiresAt = Optional.of(expiry(map.get("expiresAt")));
        }
        return new Request(patient, grantee, expiresAt);
    }

    private PatientPseudonym patient(Map<?, ?> map) {
        Object pseudonym = map.get("pseudonym");
        Object value = map.get("identifierValue");
        if (pseudonym != null && (value != null || map.get("identifierSystem") != null)) {
            throw new InvalidRequest("give either pseudonym or identifierSystem and identifierValue, not both");
        }
        try {
            if (pseudonym instanceof String p) {
                return new PatientPseudonym(p);
            }
            if (value instanceof String v && !v.isBlank()) {
                Object system = map.get("identifierSystem");
                if (system != null && !(system instanceof String)) {
                    throw new InvalidRequest("identifierSystem must be a string");
                }
                return pseudonymizer.pseudonymize(system == null ? "" : (String) system, v);
            }
        } catch (InvalidRequest e) {
            throw e;
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidRequest("pseudonym or identifier malformed");
        }
        throw new InvalidRequest("give either pseudonym or identifierSystem and identifierValue");
    }

    private Instant expiry(Object value) {
        if (!(value instanceof String text)) {
            throw new InvalidRequest("expiresAt must be an ISO-8601 instant such as 2030-01-01T00:00:00Z");
        }
        Instant instant;
        try {
            instant = Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidRequest("expiresAt must be an ISO-8601 instant such as 2030-01-01T00:00:00Z");
        }
        if (!instant.isAfter(clock.instant())) {
            throw new InvalidRequest("expiresAt must be in the future");
        }
        return instant;
    }

    private static void refused(Exchange exchange, String what, LedgerException e) {
        boolean notFound = e.chaincodeError().filter("NOT_FOUND"::equals).isPresent();
        if (notFound) {
            answer(exchange, 404, Map.of("error", "this patient has granted this grantee nothing to revoke"));
        } else if (e.kind() == LedgerException.Kind.INVALID_ARGUMENT) {
            // The peer's clock decides, so an expiry only just in the future here can be in its past.
            answer(exchange, 400, Map.of("error", "the ledger refused the consent " + what + " as invalid (an expiry "
                    + "must be after the ledger's time)"));
        } else if (e.isRetriable()) {
            LOG.warn("consent {} not completed: the ledger did not answer ({})", what, e.kind());
            unavailable(exchange, "the private ledger did not answer (" + e.kind() + "); please retry");
        } else {
            // The peer's message is for operators (it names peers and the transaction), not for the API's caller.
            LOG.error("consent {} refused by the ledger: {}", what, e.getMessage());
            answer(exchange, 502, Map.of("error", "the private ledger refused the consent " + what + " (" + e.kind()
                    + "); see the middleware's log" + e.transactionId().map(id -> ", transaction " + id).orElse("")));
        }
    }

    private static void logChange(Exchange exchange, String what, ConsentChange change) {
        LOG.info("consent for client {} {} at the request of {} (Fabric transaction {}, block {})",
                change.grantee(), what, exchange.getProperty(ApiAccess.CALLER_ID, "unknown", String.class),
                change.transactionId(), change.blockNumber());
    }

    private static Map<String, Object> changeBody(String status, ConsentChange change) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("grantee", change.grantee());
        body.put("grantedAt", change.grantedAt().toString());
        if (change.expiresAt() != null) {
            body.put("expiresAt", change.expiresAt().toString());
        }
        if (change.revokedAt() != null) {
            body.put("revokedAt", change.revokedAt().toString());
        }
        body.put("transactionId", change.transactionId());
        body.put("blockNumber", change.blockNumber());
        return body;
    }

    private static void unavailable(Exchange exchange, String error) {
        answer(exchange, 503, Map.of("error", error));
        exchange.getMessage().setHeader("Retry-After", "5");
    }

    private static void answer(Exchange exchange, int status, Map<String, Object> body) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(CanonicalJson.write(body));
    }

    /** A request at fault; its message is written here and quotes nothing of the request. */
    private static final class InvalidRequest extends IllegalArgumentException {

        private static final long serialVersionUID = 1L;

        InvalidRequest(String message) {
            super(message);
        }
    }
}
