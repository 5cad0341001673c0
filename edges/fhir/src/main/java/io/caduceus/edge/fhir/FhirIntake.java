package io.caduceus.edge.fhir;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonException;
import io.caduceus.edge.records.ResourceKeys;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Resource;

/**
 * Checks, parses and validates a write (403, 413, 415, 400, 422) and prepares what the vault step stores: the
 * canonical form, the record id, the entries' ids and lookup keys.
 */
public final class FhirIntake {

    private final FhirContext fhir;
    private final FhirWriteChecks checks;
    private final FhirResourceReader reader;
    private final ProfileValidator validator;
    private final FhirRecords records;
    private final ReferenceChecker references;
    private final ResourceKeys resourceKeys;

    FhirIntake(FhirContext fhir, FhirSettings settings, ProfileValidator validator, FhirRecords records,
            ReferenceChecker references, ResourceKeys resourceKeys) {
        this.fhir = fhir;
        this.checks = new FhirWriteChecks(settings);
        this.reader = new FhirResourceReader(fhir, settings.maxNestingDepth());
        this.validator = validator;
        this.records = records;
        this.references = references;
        this.resourceKeys = resourceKeys;
    }

    /**
     * Ahead of the store deadline, as HL7's intake maps ahead of it: validation is CPU, not a dependency, and a
     * request it takes long over (a busy machine, the validator's first use) gets its answer when it is done instead
     * of a 503 that has the client send it again.
     */
    public void check(Exchange exchange) throws FhirRejection {
        FhirExchange.Request request = exchange.getProperty(FhirExchange.REQUEST, FhirExchange.Request.class);
        byte[] body = exchange.getMessage().getBody(byte[].class);
        body = body == null ? new byte[0] : body;
        exchange.getMessage().setBody(body);
        checks.requireSize(body);
        if (!request.bundle()) {
            checks.requireAcceptedType(request.type(), null);
            FhirWriteChecks.authorize(request.caller(), request.type(), FhirWriteChecks.interactionOf(request.interaction()));
        } else {
            checks.requireSomeWriteScope(request.caller());
        }
        FhirFormat format = FhirFormat.ofRequest(request.contentType(), body);
        if (format == null) {
            throw FhirRejection.content(415, IssueType.NOTSUPPORTED, "Content-Type must be application/fhir+json, "
                    + "application/json or application/fhir+xml", null);
        }
        exchange.setProperty(FhirExchange.PREPARED, prepare(request, body, format));
    }

    /** A resource sent by a trusted system (the legacy FHIR poller): the checks and validation of a PUT, without scopes. */
    FhirExchange.Prepared checkTrusted(FhirExchange.Request request, byte[] json) throws FhirRejection {
        checks.requireSize(json);
        checks.requireAcceptedType(request.type(), null);
        return prepare(request, json, FhirFormat.JSON);
    }

    /** Parsing, checks and validation: what every accepted write goes through after authorization. */
    private FhirExchange.Prepared prepare(FhirExchange.Request request, byte[] body, FhirFormat format) throws FhirRejection {
        String text = utf8(body);
        FhirResourceReader.Parsed parsed = reader.read(text, format);
        try {
            return prepare(request, body, text, format, parsed);
        } catch (FhirRejection rejection) {
            throw aboutPatient(records, rejection, parsed.resource());
        }
    }

    /** Parsed, so the patient can be told: a quarantined copy is kept under their key and erased with them. */
    static FhirRejection aboutPatient(FhirRecords records, FhirRejection rejection, Resource resource) {
        return rejection.quarantine() ? rejection.about(records.pseudonymOf(resource)) : rejection;
    }

    private FhirExchange.Prepared prepare(FhirExchange.Request request, byte[] body, String text, FhirFormat format,
            FhirResourceReader.Parsed parsed) throws FhirRejection {
        boolean bundleRequest = request.bundle();
        Resource resource = parsed.resource();
        String messageType;
        if (bundleRequest) {
            Bundle bundle = FhirWriteChecks.requireTransactionOrBatch(resource);
            checks.checkEntries(bundle, request.caller());
            messageType = "fhir:Bundle:" + bundle.getType().toCode();
        } else {
            FhirWriteChecks.checkResource(request, resource);
            messageType = "fhir:" + request.type() + ":" + request.interaction();
        }
        List<FhirRejection.Issue> issues = validator.validate(text, resource.fhirType());
        if (issues.isEmpty() && !parsed.parseIssues().isEmpty()) {
            issues = parsed.parseIssues();
        }
        if (!issues.isEmpty()) {
            throw FhirRejection.content(422, issues);
        }
        if (resource instanceof Bundle bundle && bundleRequest) {
            references.check(bundle);
        } else {
            references.check(resource);
        }

        if (request.create()) {
            // A create's id is the server's to assign (FHIR RESTful API, create): one sent along is not kept.
            resource.setIdElement(null);
        }
        byte[] canonical = canonical(resource);
        SourceSystem source = FhirRecords.source(request.caller().clientId());
        RecordId recordId = records.recordId(source, bundleRequest ? "bundle" : request.interaction(), canonical);
        List<String> entryIds = List.of();
        List<String> lookupKeys = new ArrayList<>();
        if (bundleRequest) {
            List<String> ids = new ArrayList<>();
            List<Bundle.BundleEntryComponent> entries = ((Bundle) resource).getEntry();
            for (int i = 0; i < entries.size(); i++) {
                ids.add(entries.get(i).getRequest().getMethod() == Bundle.HTTPVerb.PUT
                        ? entries.get(i).getResource().getIdElement().getIdPart() : FhirRecords.entryId(recordId, i));
            }
            entryIds = ids;
            for (int i = 0; i < entries.size(); i++) {
                lookupKeys.add(resourceKeys.of(entries.get(i).getResource().fhirType(), ids.get(i)));
            }
        } else {
            lookupKeys.add(resourceKeys.of(request.type(), request.create() ? FhirRecords.logicalId(recordId) : request.id()));
        }
        return new FhirExchange.Prepared(request, body, format, resource, canonical, source, recordId, messageType, entryIds,
                lookupKeys);
    }

    private byte[] canonical(Resource resource) throws FhirRejection {
        try {
            return CanonicalJson.canonicalize(fhir.newJsonParser().encodeResourceToString(resource));
        } catch (JsonException e) {
            // A number beyond what I-JSON holds exactly, say: the content could not be committed to faithfully.
            throw FhirRejection.content(422, IssueType.VALUE, "the content has a value that has no exact canonical "
                    + "JSON form (a number beyond IEEE 754 double precision?)", null);
        }
    }

    private static String utf8(byte[] body) throws FhirRejection {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw FhirRejection.content(400, IssueType.STRUCTURE, "the body is not UTF-8", null);
        }
    }
}
