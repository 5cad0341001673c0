package io.caduceus.edge.console;

import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.pseudonym.PatientPseudonymizer;
import io.caduceus.ingest.vault.RecordVault;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;

/**
 * {@code POST /api/track/patient}: the tracker for every record of one patient, for the roles allowed to link a
 * patient to records (privacy officers). The patient is named in the body, never in the URL (which ends up in HTTP
 * logs): {@code {"patientPseudonym": "..."}} or, pseudonymized here as the FHIR and erasure APIs do,
 * {@code {"identifierSystem": "...", "identifierValue": "..."}}. Each record's stages are the ones
 * {@code GET /api/track/{recordId}} shows. The search is on the access log (by pseudonym) before it is answered.
 */
public final class PatientTrack {

    private ProducerTemplate template;

    /** Enough for a console page; a patient with more records is followed one record at a time. */
    static final int MAX_RECORDS = 100;
    private static final Pattern PSEUDONYM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");

    private final Supplier<RecordVault> vault;
    private final Supplier<PatientPseudonymizer> pseudonymizer;
    private final OperatorAudit audit;

    PatientTrack(Supplier<RecordVault> vault, Supplier<PatientPseudonymizer> pseudonymizer, OperatorAudit audit) {
        this.vault = vault;
        this.pseudonymizer = pseudonymizer;
        this.audit = audit;
    }

    public void track(Exchange exchange) {
        String pseudonym = pseudonym(exchange.getMessage().getBody(String.class));
        if (pseudonym == null) {
            OperatorAudit.answer(exchange, 400, Map.of("error", "bad-request", "message",
                    "send {\"patientPseudonym\": \"...\"} or {\"identifierSystem\": \"...\", \"identifierValue\": \"...\"}"));
            return;
        }
        audit.patientTrack(exchange, pseudonym);
        if (exchange.isRouteStop()) {
            return;
        }
        List<String> ids = vault.get().recordsOfPatient(pseudonym);
        Object tracker = exchange.getContext().getRegistry().lookupByName("anchoring");
        List<Object> records = new ArrayList<>();
        for (String id : ids.subList(0, Math.min(ids.size(), MAX_RECORDS))) {
            records.add(trackOne(exchange, tracker, id));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("patientPseudonym", pseudonym);
        out.put("recordCount", ids.size());
        out.put("truncated", ids.size() > MAX_RECORDS);
        out.put("records", records);
        OperatorAudit.answer(exchange, ids.isEmpty() ? 404 : 200, out);
    }

    /**
     * The tracker's own answer for one record, so both pages show the same stages. Asked through the registry by
     * name, as the tracker route asks it: the tracker belongs to anchoring, which may be off.
     */
    private Object trackOne(Exchange request, Object tracker, String recordId) {
        if (tracker == null) {
            return Map.of("recordId", recordId);
        }
        Exchange one = new DefaultExchange(request.getContext());
        one.getMessage().setHeader("recordId", recordId);
        Exchange answered = template(request.getContext()).send("bean:anchoring?method=track", one);
        try {
            return CanonicalJson.parse(answered.getMessage().getBody(String.class));
        } catch (RuntimeException e) {
            return Map.of("recordId", recordId, "error", "the tracker gave no answer");
        }
    }

    private synchronized ProducerTemplate template(CamelContext context) {
        if (template == null) {
            template = context.createProducerTemplate();
        }
        return template;
    }

    private String pseudonym(String body) {
        Object parsed;
        try {
            parsed = body == null || body.isBlank() ? null : CanonicalJson.parse(body);
        } catch (RuntimeException e) {
            return null;
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            return null;
        }
        if (map.get("patientPseudonym") instanceof String p) {
            return PSEUDONYM.matcher(p).matches() ? p : null;
        }
        if (map.get("identifierSystem") instanceof String system && map.get("identifierValue") instanceof String value
                && !system.isBlank() && !value.isBlank()) {
            try {
                return pseudonymizer.get().pseudonymize(system, value).value();
            } catch (RuntimeException e) {
                return null;
            }
        }
        return null;
    }
}
