package io.caduceus.edge.console;

import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.keys.KeyedHash;
import io.caduceus.edge.access.ApiAccess;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts every operator action on the access log: the same Kafka topic, record format and MAC as the access events of
 * FHIR reads, so the same forwarder carries them to the ledger and the chaincode validates them unchanged. Each event
 * is written before the action has effect (before reprocessing, discarding, disclosing content); an action whose
 * event cannot be written is answered 503 and does not happen, as a FHIR read is. Ids only: a quarantined message
 * appears as {@code quarantine:<id>}, a patient as the pseudonym; free text (a discard reason) stays off the log.
 */
public final class OperatorAudit {

    /** The route that signs an event and writes it to the access-events topic (console.camel.yaml). */
    static final String ROUTE = "direct:operator-access-event";
    /** HL7 PurposeOfUse "healthcare operations": what an operator's work is, as opposed to a clinician's TREAT. */
    static final String PURPOSE = "HOPERAT";
    static final String BASIS = "role";
    /** What the chaincode accepts in a record id field: the quarantine ids the vault makes (UUIDs) fit in it. */
    static final Pattern SUBJECT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");

    private static final Logger LOG = LoggerFactory.getLogger(OperatorAudit.class);

    private final KeyedHash callerIdKey;
    private final Clock clock;
    private volatile ProducerTemplate producer;

    OperatorAudit(KeyedHash callerIdKey, Clock clock) {
        this.callerIdKey = callerIdKey;
        this.clock = clock;
    }

    /** Before {@code POST /api/quarantine/{id}/reprocess}. */
    public void reprocess(Exchange exchange) {
        quarantineAction(exchange, "quarantine.reprocess");
    }

    /** Before {@code POST /api/quarantine/{id}/discard}. */
    public void discard(Exchange exchange) {
        quarantineAction(exchange, "quarantine.discard");
    }

    /** Before the content of a quarantined message is disclosed. */
    public void content(Exchange exchange) {
        quarantineAction(exchange, "quarantine.content");
    }

    /**
     * After {@code GET /api/track/...}: a tracker answer holds ids and times, no content, so it is logged with the
     * record id it resolved to (known only once the tracker has run for a message named by sender and MSH-10).
     */
    public void track(Exchange exchange) {
        Message message = exchange.getMessage();
        Object body = parseQuietly(message.getBody(String.class));
        List<String> records = new ArrayList<>();
        if (body instanceof Map<?, ?> map && map.get("recordId") instanceof String id && SUBJECT.matcher(id).matches()) {
            records.add(id);
        }
        // The answer is already computed; without its access event it is not given (write answers 503 instead).
        write(exchange, event(callerId(exchange), "message.track", records, List.of(), clock.instant()));
    }

    /** Before a search by patient: the pseudonym, never the identifier it was made of. */
    public void patientTrack(Exchange exchange, String pseudonym) {
        write(exchange, event(callerId(exchange), "patient.track", List.of(), List.of(pseudonym), clock.instant()));
    }

    private void quarantineAction(Exchange exchange, String interaction) {
        String id = exchange.getMessage().getHeader("id", String.class);
        if (id == null || !SUBJECT.matcher("quarantine:" + id).matches()) {
            answer(exchange, 404, Map.of("error", "no quarantined message with that id"));
            return;
        }
        write(exchange, event(callerId(exchange), interaction, List.of("quarantine:" + id), List.of(), clock.instant()));
    }

    /** The event as the chaincode's {@code AccessEvent} reads it. Package-private for tests. */
    Map<String, Object> event(String callerId, String interaction, List<String> subjects, List<String> pseudonyms,
            Instant at) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("accessId", UUID.randomUUID().toString());
        event.put("accessedAt", at.toString());
        event.put("interaction", interaction);
        event.put("purpose", PURPOSE);
        // Keyed, as for FHIR reads: a token's subject may name a person, and client ids are few enough to guess.
        event.put("callerIdHash", callerIdKey.hex(callerId));
        event.put("basis", BASIS);
        List<Map<String, Object>> records = new ArrayList<>();
        for (String subject : subjects) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("recordId", subject);
            // Nothing of the record was read from the ledger to check it: the action is what is recorded.
            r.put("integrity", "not-checked");
            records.add(r);
        }
        event.put("records", records);
        event.put("patientPseudonyms", List.copyOf(pseudonyms));
        return event;
    }

    /** Writes the event; false after answering 503 and stopping the route (the action must not happen). */
    private boolean write(Exchange exchange, Map<String, Object> event) {
        if (exchange.isRouteStop()) {
            return false;
        }
        String json = CanonicalJson.write(event);
        Exchange result = producer(exchange).send(ROUTE, e -> {
            e.getMessage().setHeader("kafka.KEY", event.get("accessId"));
            e.getMessage().setBody(json);
        });
        if (result.getException() == null) {
            return true;
        }
        LOG.warn("operator action {} refused: its access event could not be written ({})", event.get("interaction"),
                result.getException().getClass().getSimpleName());
        answer(exchange, 503, Map.of("error", "unavailable",
                "message", "the access log cannot be written now, so the action was not done; please retry"));
        return false;
    }

    private ProducerTemplate producer(Exchange exchange) {
        ProducerTemplate p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = exchange.getContext().createProducerTemplate();
                }
                p = producer;
            }
        }
        return p;
    }

    private static String callerId(Exchange exchange) {
        return exchange.getProperty(ApiAccess.CALLER_ID, "unknown", String.class);
    }

    private static Object parseQuietly(String json) {
        try {
            return json == null ? null : CanonicalJson.parse(json);
        } catch (RuntimeException e) {
            return null;
        }
    }

    static void answer(Exchange exchange, int status, Map<String, ?> body) {
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(CanonicalJson.write(body));
        exchange.setRouteStop(true);
    }
}
