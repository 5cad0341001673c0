package io.caduceus.edge.fhir;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.domain.SourceSystem;
import java.time.Instant;
import java.util.List;
import org.apache.camel.Exchange;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Resource;

/**
 * What the FHIR write beans ({@link FhirCallers}, {@link FhirIntake}, {@link FhirRecordStore}, {@link FhirAcknowledger},
 * {@link FhirQuarantine}, {@link FhirRefusals}) hand each other on the exchange, and the steps they share. None of it
 * is ever logged.
 */
final class FhirExchange {

    /** Set by the routes: create, update or bundle. */
    static final String INTERACTION = "caduceus.fhir.interaction";
    static final String REQUEST = "caduceus.fhir.request";
    static final String RESULT = "caduceus.fhir.result";
    static final String PREPARED = "caduceus.fhir.prepared";
    static final String QUARANTINE_ID = "fhirQuarantineId";
    static final String REJECTION = "caduceus.fhir.rejection";
    static final String KAFKA_KEY = "kafka.KEY";

    private FhirExchange() {
    }

    /** What the request said, captured before its headers are dropped. */
    record Request(String interaction, String type, String id, String authorization, String contentType, String accept,
            String format, String prefer, Instant receivedAt, BearerTokenVerifier.Caller caller) {

        Request withCaller(BearerTokenVerifier.Caller c) {
            return new Request(interaction, type, id, authorization, contentType, accept, format, prefer, receivedAt, c);
        }

        boolean bundle() {
            return "bundle".equals(interaction);
        }

        boolean create() {
            return "create".equals(interaction);
        }
    }

    /** A request checked and validated, with its canonical form and record id: what the vault step stores. */
    record Prepared(Request request, byte[] body, FhirFormat format, Resource resource, byte[] canonical, SourceSystem source,
            RecordId recordId, String messageType, List<String> entryIds, List<String> lookupKeys) {
    }

    /** What was stored, for the answer. */
    record Result(RecordId recordId, Resource resource, FhirFormat requestFormat, List<String> entryIds, LedgerEntry entry) {
    }

    /**
     * Every incoming HTTP header is dropped once read: Camel would otherwise copy them onto the Kafka record and the
     * HTTP answer, bearer token included.
     */
    static Request capture(Exchange exchange) {
        var m = exchange.getMessage();
        Instant receivedAt = Instant.now();
        Request request = new Request(exchange.getProperty(INTERACTION, "create", String.class), m.getHeader("type", String.class),
                m.getHeader("id", String.class), m.getHeader("Authorization", String.class),
                m.getHeader(Exchange.CONTENT_TYPE, String.class), m.getHeader("Accept", String.class),
                m.getHeader("_format", String.class), m.getHeader("Prefer", String.class), receivedAt, null);
        m.removeHeaders("*");
        return request;
    }

    static FhirFormat responseFormat(Request request) {
        return request == null ? FhirFormat.JSON
                : FhirFormat.forResponse(request.format(), request.accept(), FhirFormat.ofRequest(request.contentType(), new byte[0]));
    }

    /** Sets the HTTP status and the resource in the requested format as the answer; no resource, no body. */
    static void respond(FhirContext fhir, Exchange exchange, int status, FhirFormat format, IBaseResource resource) {
        var message = exchange.getMessage();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (resource == null) {
            message.setBody(null);
            return;
        }
        message.setHeader(Exchange.CONTENT_TYPE, format.contentTypeHeader());
        message.setBody(format.parser(fhir).encodeResourceToString(resource));
    }
}
