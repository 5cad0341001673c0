package io.caduceus.edge.fhir;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.ingest.vault.VaultException;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.hash.Sha256;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonException;
import io.caduceus.edge.records.ResourceKeys;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bean behind camel/fhir-inbound.camel.yaml. A write goes {@link #authenticate} (401), {@link #check} (scopes
 * 403, size and nesting 413/400, parsing 400, validation 422), then within the store deadline {@link #receive} (vault)
 * and the route's Kafka step, and {@link #accepted}; content at fault goes {@link #quarantine} then {@link #rejected}; a vault or Kafka failure goes
 * {@link #failed} (503, the client retries and lands on the same record).
 *
 * <p>Every incoming HTTP header is dropped once read: Camel would otherwise copy them onto the Kafka record and the
 * HTTP answer, bearer token included.
 */
public final class FhirInbound {

    private static final Logger LOG = LoggerFactory.getLogger(FhirInbound.class);

    static final String INTERACTION = "caduceus.fhir.interaction";
    private static final String REQUEST = "caduceus.fhir.request";
    private static final String RESULT = "caduceus.fhir.result";
    private static final String PREPARED = "caduceus.fhir.prepared";
    private static final String QUARANTINE_ID = "fhirQuarantineId";
    private static final String REJECTION = "caduceus.fhir.rejection";
    private static final String KAFKA_KEY = "kafka.KEY";

    /** What the request said, captured before its headers are dropped. */
    record Request(String interaction, String type, String id, String authorization, String contentType, String accept,
            String format, String prefer, Instant receivedAt, BearerTokenVerifier.Caller caller) {

        Request withCaller(BearerTokenVerifier.Caller c) {
            return new Request(interaction, type, id, authorization, contentType, accept, format, prefer, receivedAt, c);
        }
    }

    /** A request checked and validated, with its canonical form and record id: what the vault step stores. */
    record Prepared(Request request, byte[] body, FhirFormat format, Resource resource, byte[] canonical, SourceSystem source,
            RecordId recordId, String messageType, List<String> entryIds, List<String> lookupKeys) {
    }

    /** What was stored, for the answer. */
    record Result(RecordId recordId, Resource resource, FhirFormat requestFormat, List<String> entryIds, LedgerEntry entry) {
    }

    private final FhirContext fhir;
    private final FhirSettings settings;
    private final FhirAuthenticator authenticator;
    private final FhirResourceReader reader;
    private final ProfileValidator validator;
    private final FhirRecords records;
    private final RecordVault vault;
    private final ReferenceChecker references;
    private final ResourceKeys resourceKeys;
    private final Map<FhirFormat, String> capabilities;

    FhirInbound(FhirContext fhir, FhirSettings settings, FhirAuthenticator authenticator, ProfileValidator validator,
            FhirRecords records, RecordVault vault, ResourceKeys resourceKeys, CapabilityStatement capabilityStatement) {
        this(fhir, settings, authenticator, validator, records, vault, resourceKeys, capabilityStatement,
                ReferenceChecker.Policy.CHECK_FORMAT);
    }

    FhirInbound(FhirContext fhir, FhirSettings settings, FhirAuthenticator authenticator, ProfileValidator validator,
            FhirRecords records, RecordVault vault, ResourceKeys resourceKeys, CapabilityStatement capabilityStatement,
            ReferenceChecker.Policy referencePolicy) {
        this.references = new ReferenceChecker(fhir, vault, resourceKeys, referencePolicy);
        this.resourceKeys = resourceKeys;
        this.fhir = fhir;
        this.settings = settings;
        this.authenticator = authenticator;
        this.reader = new FhirResourceReader(fhir, settings.maxNestingDepth());
        this.validator = validator;
        this.records = records;
        this.vault = vault;
        this.capabilities = Map.of(
                FhirFormat.JSON, fhir.newJsonParser().setPrettyPrint(true).encodeResourceToString(capabilityStatement),
                FhirFormat.XML, fhir.newXmlParser().setPrettyPrint(true).encodeResourceToString(capabilityStatement));
    }

    /** Captures the request and authenticates its caller by bearer token or client certificate (401, 403). */
    public void authenticate(Exchange exchange) throws FhirRejection {
        Request request = capture(exchange);
        exchange.setProperty(REQUEST, request);
        exchange.setProperty(REQUEST, request.withCaller(authenticator.authenticate(request.authorization(),
                ClientCertificateAuthenticator.verifiedCertificate(exchange))));
    }

    /**
     * Checks, parses and validates the request (403, 413, 415, 400, 422) ahead of the store deadline, as HL7's intake
     * maps ahead of it: validation is CPU, not a dependency, and a request it takes long over (a busy machine, the
     * validator's first use) gets its answer when it is done instead of a 503 that has the client send it again.
     */
    public void check(Exchange exchange) throws FhirRejection {
        Request request = exchange.getProperty(REQUEST, Request.class);
        byte[] body = exchange.getMessage().getBody(byte[].class);
        body = body == null ? new byte[0] : body;
        exchange.getMessage().setBody(body);
        requireSize(body);
        boolean bundleRequest = "bundle".equals(request.interaction());
        if (!bundleRequest) {
            requireAcceptedType(request.type(), null);
            authorize(request.caller(), request.type(), interactionOf(request.interaction()));
        } else {
            requireSomeWriteScope(request.caller());
        }
        FhirFormat format = FhirFormat.ofRequest(request.contentType(), body);
        if (format == null) {
            throw FhirRejection.content(415, IssueType.NOTSUPPORTED, "Content-Type must be application/fhir+json, "
                    + "application/json or application/fhir+xml", null);
        }
        exchange.setProperty(PREPARED, prepare(request, body, format));
    }

    /**
     * Stores what {@link #check} accepted (vault, 409), checking first if it has not been; leaves the ledger entry as
     * the body for Kafka.
     */
    public void receive(Exchange exchange) throws FhirRejection {
        if (exchange.getProperty(PREPARED) == null) {
            check(exchange);
        }
        Result result = persist(exchange.getProperty(PREPARED, Prepared.class));
        exchange.setProperty(RESULT, result);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(KAFKA_KEY, result.recordId().value());
        exchange.getMessage().setBody(result.entry().toJson());
    }

    /**
     * Ingests one resource of {@code request.type()} sent by a trusted system rather than a token holder: the checks,
     * validation and storage a PUT of {@code json} gets, without scopes. The legacy FHIR poller's path, so that polled
     * content is treated exactly as content sent to Caduceus.
     *
     * @return the stored record, whose ledger entry is still to be published
     */
    Result storeTrusted(Request request, byte[] json) throws FhirRejection {
        requireSize(json);
        requireAcceptedType(request.type(), null);
        return persist(prepare(request, json, FhirFormat.JSON));
    }

    private void requireSize(byte[] body) throws FhirRejection {
        if (body.length > settings.maxRequestBytes()) {
            throw FhirRejection.content(413, IssueType.TOOCOSTLY, "the request body is larger than "
                    + settings.maxRequestBytes() + " bytes", null);
        }
    }

    /** Parsing, checks and validation: what every accepted write goes through after authorization. */
    private Prepared prepare(Request request, byte[] body, FhirFormat format) throws FhirRejection {
        String text = utf8(body);
        FhirResourceReader.Parsed parsed = reader.read(text, format);
        Resource resource = parsed.resource();
        try {
            return prepare(request, body, text, format, parsed);
        } catch (FhirRejection rejection) {
            throw aboutPatient(rejection, resource);
        }
    }

    /** Parsed, so the patient can be told: a quarantined copy is kept under their key and erased with them. */
    private FhirRejection aboutPatient(FhirRejection rejection, Resource resource) {
        return rejection.quarantine() ? rejection.about(records.pseudonymOf(resource)) : rejection;
    }

    /** The vault: durable when it returns. */
    private Result persist(Prepared p) throws FhirRejection {
        try {
            LedgerEntry entry = records.store(p.recordId(), p.source(), p.messageType(), p.resource(), p.canonical(), p.body(),
                    p.request().receivedAt(), p.lookupKeys());
            return new Result(p.recordId(), p.resource(), p.format(), p.entryIds(), entry);
        } catch (FhirRejection rejection) {
            throw aboutPatient(rejection, p.resource());
        }
    }

    private Prepared prepare(Request request, byte[] body, String text, FhirFormat format, FhirResourceReader.Parsed parsed)
            throws FhirRejection {
        boolean bundleRequest = "bundle".equals(request.interaction());
        Resource resource = parsed.resource();
        List<String> entryIds = List.of();
        List<String> lookupKeys = new ArrayList<>();
        String messageType;
        if (bundleRequest) {
            Bundle bundle = requireTransactionOrBatch(resource);
            checkEntries(bundle, request.caller());
            messageType = "fhir:Bundle:" + bundle.getType().toCode();
        } else {
            checkResource(request, resource);
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

        if ("create".equals(request.interaction())) {
            // A create's id is the server's to assign (FHIR RESTful API, create): one sent along is not kept.
            resource.setIdElement(null);
        }
        byte[] canonical = canonical(resource);
        SourceSystem source = FhirRecords.source(request.caller().clientId());
        String interactionKey = bundleRequest ? "bundle" : request.interaction();
        RecordId recordId = records.recordId(source, interactionKey, canonical);
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
            lookupKeys.add(resourceKeys.of(request.type(), "create".equals(request.interaction())
                    ? FhirRecords.logicalId(recordId) : request.id()));
        }
        return new Prepared(request, body, format, resource, canonical, source, recordId, messageType, entryIds, lookupKeys);
    }

    /** The record is in the vault and Kafka acknowledged its ledger entry: answer 201 or 200. */
    public void accepted(Exchange exchange) {
        Request request = exchange.getProperty(REQUEST, Request.class);
        Result result = exchange.getProperty(RESULT, Result.class);
        FhirFormat format = FhirFormat.forResponse(request.format(), request.accept(), result.requestFormat());
        String recordId = result.recordId().value();
        String version = FhirRecords.logicalId(result.recordId());
        var message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader("X-Caduceus-Record-Id", recordId);
        message.setHeader("Link", "</api/proofs/" + recordId + ">; rel=\"related\"; title=\"ledger proof\"");
        IBaseResource answer;
        int status;
        if ("bundle".equals(request.interaction())) {
            status = 200;
            answer = responseBundle((Bundle) result.resource(), result.entryIds(), version);
        } else {
            boolean create = "create".equals(request.interaction());
            status = create ? 201 : 200;
            String id = create ? FhirRecords.logicalId(result.recordId()) : request.id();
            message.setHeader("Location", settings.baseUrl() + "/fhir/" + request.type() + "/" + id + "/_history/" + version);
            message.setHeader("ETag", "W/\"" + version + "\"");
            String prefer = request.prefer() == null ? "" : request.prefer();
            if (prefer.contains("return=minimal")) {
                answer = null;
            } else if (prefer.contains("return=representation")) {
                Resource stored = result.resource();
                stored.setId(id);
                stored.getMeta().setVersionId(version);
                answer = stored;
            } else {
                answer = OperationOutcomes.information((create ? "created" : "updated") + " as record " + recordId);
            }
        }
        respond(exchange, status, format, answer);
    }

    /** Keeps rejected content in the vault's quarantine; leaves a notice (no content) as the body for Kafka. */
    public void quarantine(Exchange exchange) {
        FhirRejection rejection = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, FhirRejection.class);
        Request request = exchange.getProperty(REQUEST, Request.class);
        exchange.removeProperty(QUARANTINE_ID);
        // Kept apart: a failure while quarantining replaces the caught exception, and the answer is still this one.
        exchange.setProperty(REJECTION, rejection);
        if (rejection == null || !rejection.quarantine() || request == null) {
            return;
        }
        byte[] body = exchange.getMessage().getBody(byte[].class);
        body = body == null ? new byte[0] : body;
        Map<String, Object> notice = keep(vault, request, rejection, body);
        exchange.setProperty(QUARANTINE_ID, notice.get("quarantineId"));
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(KAFKA_KEY, notice.get("quarantineId"));
        exchange.getMessage().setBody(CanonicalJson.write(notice));
    }

    static Map<String, Object> keep(RecordVault vault, Request request, FhirRejection rejection, byte[] body) {
        String client = request.caller() == null ? "unauthenticated" : request.caller().clientId();
        String originalId = "fhir^" + client + "^" + Sha256.digest(body).hex();
        String reason = rejection.status() + " " + rejection.issues().get(0).type().toCode() + " "
                + rejection.issues().get(0).diagnostics();
        QuarantinedMessage kept = vault.quarantine(originalId, reason, body, request.receivedAt(), rejection.patientPseudonym());
        LOG.info("FHIR request quarantined as {}: HTTP {} {}", kept.quarantineId(), rejection.status(),
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

    /** Answers a rejection with its status and an OperationOutcome. */
    public void rejected(Exchange exchange) {
        Exception caught = exchange.getProperty(REJECTION, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class), Exception.class);
        if (!(caught instanceof FhirRejection rejection)) {
            failed(exchange);
            return;
        }
        Request request = exchange.getProperty(REQUEST, Request.class);
        String quarantineId = exchange.getProperty(QUARANTINE_ID, String.class);
        exchange.getMessage().removeHeaders("*");
        if (rejection.wwwAuthenticate() != null) {
            exchange.getMessage().setHeader("WWW-Authenticate", rejection.wwwAuthenticate());
        }
        if (quarantineId != null) {
            exchange.getMessage().setHeader("X-Caduceus-Quarantine-Id", quarantineId);
        }
        LOG.debug("FHIR request rejected: HTTP {}", rejection.status());
        respond(exchange, rejection.status(), responseFormat(request), OperationOutcomes.of(rejection.issues()));
    }

    /**
     * Caduceus could not make the request durable (vault or Kafka down): 503, and the client retries. Nothing is
     * quarantined; a retry with the same content lands on the same record id. A bug is 500.
     */
    public void failed(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Request request = exchange.getProperty(REQUEST, Request.class);
        boolean bug = caught instanceof NullPointerException || caught instanceof ClassCastException
                || caught instanceof IllegalStateException || caught instanceof IllegalArgumentException;
        if (caught instanceof VaultException v && !v.isRetriable()) {
            bug = true;
        }
        LOG.warn("FHIR request not stored, client should retry: {}", caught == null ? "unknown" : caught.getClass().getSimpleName());
        exchange.getMessage().removeHeaders("*");
        FhirRejection.Issue issue = FhirRejection.Issue.error(bug ? IssueType.EXCEPTION : IssueType.TRANSIENT,
                bug ? "internal error; the request was not stored" : "temporarily unable to store the request; please retry");
        if (!bug) {
            exchange.getMessage().setHeader("Retry-After", "5");
        }
        respond(exchange, bug ? 500 : 503, responseFormat(request), OperationOutcomes.of(List.of(issue)));
    }

    /** GET /fhir/metadata. Public by default: clients discover the authorization rules there before holding a token. */
    public void capabilities(Exchange exchange) throws FhirRejection {
        Request request = capture(exchange);
        exchange.setProperty(REQUEST, request);
        if (!settings.publicMetadata()) {
            authenticator.authenticate(request.authorization(), ClientCertificateAuthenticator.verifiedCertificate(exchange));
        }
        FhirFormat format = FhirFormat.forResponse(request.format(), request.accept(), FhirFormat.JSON);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, format.contentTypeHeader());
        exchange.getMessage().setBody(capabilities.get(format));
    }

    private Request capture(Exchange exchange) {
        var m = exchange.getMessage();
        Instant receivedAt = Instant.now();
        Request request = new Request(exchange.getProperty(INTERACTION, "create", String.class), m.getHeader("type", String.class),
                m.getHeader("id", String.class), m.getHeader("Authorization", String.class),
                m.getHeader(Exchange.CONTENT_TYPE, String.class), m.getHeader("Accept", String.class),
                m.getHeader("_format", String.class), m.getHeader("Prefer", String.class), receivedAt, null);
        m.removeHeaders("*");
        return request;
    }

    private static FhirFormat responseFormat(Request request) {
        return request == null ? FhirFormat.JSON
                : FhirFormat.forResponse(request.format(), request.accept(), FhirFormat.ofRequest(request.contentType(), new byte[0]));
    }

    private void respond(Exchange exchange, int status, FhirFormat format, IBaseResource resource) {
        respond(fhir, exchange, status, format, resource);
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

    private void requireAcceptedType(String type, String expression) throws FhirRejection {
        if (type == null || !settings.resourceTypes().contains(type)) {
            throw FhirRejection.content(400, IssueType.NOTSUPPORTED, "resource type " + safe(type)
                    + " is not accepted here; accepted: " + String.join(", ", settings.resourceTypes()), expression);
        }
    }

    static void authorize(BearerTokenVerifier.Caller caller, String type, SmartScopes.Interaction interaction)
            throws FhirRejection {
        if (!SmartScopes.allows(caller.scopes(), type, interaction)) {
            throw FhirRejection.forbidden("the caller's scopes do not allow " + interaction.name().toLowerCase(java.util.Locale.ROOT)
                    + " of " + type, SmartScopes.required(type, interaction));
        }
    }

    /**
     * A bundle's entries are checked against the caller's scopes once it is parsed; a caller who may write nothing at
     * all is refused before that, so that its content is neither parsed nor quarantined (a reader could otherwise fill
     * the quarantine).
     */
    private void requireSomeWriteScope(BearerTokenVerifier.Caller caller) throws FhirRejection {
        for (String type : settings.resourceTypes()) {
            if (SmartScopes.allows(caller.scopes(), type, SmartScopes.Interaction.CREATE)
                    || SmartScopes.allows(caller.scopes(), type, SmartScopes.Interaction.UPDATE)) {
                return;
            }
        }
        throw FhirRejection.forbidden("the caller's scopes allow no write", "system/*.write");
    }

    private static SmartScopes.Interaction interactionOf(String interaction) {
        return "update".equals(interaction) ? SmartScopes.Interaction.UPDATE : SmartScopes.Interaction.CREATE;
    }

    private void checkResource(Request request, Resource resource) throws FhirRejection {
        if (!resource.fhirType().equals(request.type())) {
            throw FhirRejection.content(400, IssueType.INVALID, "the body is a " + resource.fhirType()
                    + " but the URL is for " + request.type(), "resourceType");
        }
        if ("update".equals(request.interaction())) {
            String bodyId = resource.getIdElement().getIdPart();
            if (bodyId == null) {
                throw FhirRejection.content(400, IssueType.REQUIRED, "an update must carry the resource id", request.type() + ".id");
            }
            if (!bodyId.equals(request.id())) {
                throw FhirRejection.content(400, IssueType.INVALID, "the resource id differs from the id in the URL", request.type() + ".id");
            }
        }
    }

    private static Bundle requireTransactionOrBatch(Resource resource) throws FhirRejection {
        if (!(resource instanceof Bundle bundle)) {
            throw FhirRejection.content(400, IssueType.INVALID, "only a Bundle of type transaction or batch may be posted "
                    + "to the base URL; this is a " + resource.fhirType(), "resourceType");
        }
        if (bundle.getType() != Bundle.BundleType.TRANSACTION && bundle.getType() != Bundle.BundleType.BATCH) {
            throw FhirRejection.content(400, IssueType.INVALID, "only Bundles of type transaction or batch may be posted "
                    + "to the base URL", "Bundle.type");
        }
        return bundle;
    }

    /** All entries must be acceptable before anything is validated: the bundle is one record or none. */
    private void checkEntries(Bundle bundle, BearerTokenVerifier.Caller caller) throws FhirRejection {
        List<Bundle.BundleEntryComponent> entries = bundle.getEntry();
        if (entries.isEmpty()) {
            throw FhirRejection.content(400, IssueType.REQUIRED, "the bundle has no entries", "Bundle.entry");
        }
        for (int i = 0; i < entries.size(); i++) {
            Bundle.BundleEntryComponent entry = entries.get(i);
            String at = "Bundle.entry[" + i + "]";
            if (!entry.hasResource()) {
                throw FhirRejection.content(400, IssueType.REQUIRED, "every entry must carry a resource", at + ".resource");
            }
            String type = entry.getResource().fhirType();
            requireAcceptedType(type, at + ".resource");
            Bundle.HTTPVerb method = entry.getRequest().getMethod();
            String url = entry.getRequest().getUrl() == null ? "" : entry.getRequest().getUrl();
            if (method == Bundle.HTTPVerb.POST) {
                if (!url.equals(type)) {
                    throw FhirRejection.content(400, IssueType.NOTSUPPORTED, "a POST entry's request.url must be its "
                            + "resource type (conditional and other operations are not supported)", at + ".request.url");
                }
                authorize(caller, type, SmartScopes.Interaction.CREATE);
            } else if (method == Bundle.HTTPVerb.PUT) {
                String id = entry.getResource().getIdElement().getIdPart();
                if (id == null || !url.equals(type + "/" + id)) {
                    throw FhirRejection.content(400, IssueType.INVALID, "a PUT entry's request.url must be "
                            + "<type>/<id> of its resource", at + ".request.url");
                }
                authorize(caller, type, SmartScopes.Interaction.UPDATE);
            } else {
                throw FhirRejection.content(400, IssueType.NOTSUPPORTED, "bundle entries may only POST or PUT",
                        at + ".request.method");
            }
        }
    }

    private static Bundle responseBundle(Bundle request, List<String> entryIds, String version) {
        Bundle response = new Bundle();
        response.setType(request.getType() == Bundle.BundleType.BATCH ? Bundle.BundleType.BATCHRESPONSE
                : Bundle.BundleType.TRANSACTIONRESPONSE);
        for (int i = 0; i < request.getEntry().size(); i++) {
            Bundle.BundleEntryComponent in = request.getEntry().get(i);
            boolean created = in.getRequest().getMethod() == Bundle.HTTPVerb.POST;
            Bundle.BundleEntryResponseComponent out = response.addEntry().getResponse();
            out.setStatus(created ? "201 Created" : "200 OK")
                    .setLocation(in.getResource().fhirType() + "/" + entryIds.get(i) + "/_history/" + version)
                    .setEtag("W/\"" + version + "\"");
        }
        return response;
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

    /** A resource type from the URL, echoed only when it looks like one. */
    private static String safe(String type) {
        return type != null && type.matches("[A-Za-z]{1,64}") ? type : "(invalid)";
    }
}
