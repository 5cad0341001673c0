package io.caduceus.edge.fhir;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.ingest.vault.RecordErasedException;
import io.caduceus.ingest.vault.RecordIntegrityException;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.ingest.vault.VaultException;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.keys.KeyedHash;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.edge.records.ResourceKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bean behind the read routes of camel/fhir-inbound.camel.yaml: {@code GET /fhir/{type}/{id}} and
 * {@code GET /fhir/Patient/{id}/$everything}. A read goes {@link #authenticate} (401), {@link #read} or
 * {@link #everything} (scopes 403, unknown 404, erased 410, ledger mismatch 409), the route's Kafka step that records
 * the access event, and {@link #answer}: nothing is disclosed before its access is on the access log.
 *
 * <p>Every served resource says whether its record matches the ledger's commitment, in a {@code meta.tag} of
 * {@link #INTEGRITY_SYSTEM} (and, for a single read, the {@code X-Caduceus-Integrity} header): {@code verified},
 * {@code pending} (the ledger feed has not reached it yet) or {@code unavailable} (no ledger view here). A record whose
 * content does not match its commitment is never served: a single read answers 409, {@code $everything} leaves it
 * out and says so in an OperationOutcome entry.
 */
public final class FhirReader {

    private static final Logger LOG = LoggerFactory.getLogger(FhirReader.class);

    static final String INTEGRITY_SYSTEM = "urn:caduceus:fhir:ledger-integrity";
    static final String RECORD_SOURCE_PREFIX = "urn:caduceus:record:";
    /** Exchange property holding the access event, for the route's Kafka step. */
    static final String ACCESS_EVENT = "fhirAccessEvent";
    private static final String REQUEST = "caduceus.fhir.read.request";
    private static final String ANSWER = "caduceus.fhir.read.answer";
    private static final String KAFKA_KEY = "kafka.KEY";
    private static final Pattern LOGICAL_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");
    private static final Pattern PURPOSE = Pattern.compile("[A-Z]{2,20}");
    private static final String DEFAULT_PURPOSE = "TREAT";

    /** What the read request said, captured before its headers are dropped. */
    private record ReadRequest(String type, String id, String authorization, String accept, String format, String purpose,
            Instant receivedAt, BearerTokenVerifier.Caller caller) {

        ReadRequest withCaller(BearerTokenVerifier.Caller c) {
            return new ReadRequest(type, id, authorization, accept, format, purpose, receivedAt, c);
        }
    }

    /** What a read will answer once its access event is on Kafka. */
    private record Answer(int status, IBaseResource body, Map<String, String> headers) {
    }

    private final FhirContext fhir;
    private final FhirSettings settings;
    private final FhirAuthenticator authenticator;
    private final RecordVault vault;
    private final ResourceKeys resourceKeys;
    private final KeyedHash callerIdKey;
    private final RecordResources resources;
    private final LedgerIntegrity integrity;
    private final int everythingMaxRecords;
    private final ReadConsent consent;

    /**
     * @param callerIdKey the deployment's {@link io.caduceus.core.keys.DeploymentKeys.Purpose#CALLER_ID} key, which
     *                    the access events' caller hashes are made with
     * @param consent     whether reads need the patient's grant (caduceus.fhir.read.consent)
     */
    FhirReader(FhirContext fhir, FhirSettings settings, FhirAuthenticator authenticator, RecordVault vault,
            ResourceKeys resourceKeys, KeyedHash callerIdKey, LedgerIntegrity integrity, int everythingMaxRecords,
            ReadConsent consent) {
        this.consent = consent;
        this.resourceKeys = resourceKeys;
        this.callerIdKey = callerIdKey;
        this.fhir = fhir;
        this.settings = settings;
        this.authenticator = authenticator;
        this.vault = vault;
        this.resources = new RecordResources(fhir);
        this.integrity = integrity;
        this.everythingMaxRecords = everythingMaxRecords;
    }

    /**
     * Captures the request (dropping its headers, token included) and authenticates its caller by bearer token or
     * client certificate (401, 403).
     */
    public void authenticate(Exchange exchange) throws FhirRejection {
        var m = exchange.getMessage();
        ReadRequest request = new ReadRequest(m.getHeader("type", String.class), m.getHeader("id", String.class),
                m.getHeader("Authorization", String.class), m.getHeader("Accept", String.class),
                m.getHeader("_format", String.class), m.getHeader("X-Caduceus-Purpose", String.class), Instant.now(), null);
        m.removeHeaders("*");
        m.setBody(null);
        exchange.setProperty(REQUEST, request);
        exchange.setProperty(REQUEST, request.withCaller(authenticator.authenticate(request.authorization(),
                ClientCertificateAuthenticator.verifiedCertificate(exchange))));
    }

    /**
     * {@code GET /fhir/{type}/{id}}: the newest stored version of the resource, when the patient's consent allows
     * (see {@link ReadConsent}).
     */
    public void read(Exchange exchange) throws FhirRejection {
        ReadRequest request = exchange.getProperty(REQUEST, ReadRequest.class);
        String type = requireKnownType(request.type());
        String id = requireLogicalId(request.id());
        FhirWriteChecks.authorize(request.caller(), type, SmartScopes.Interaction.READ);
        List<String> recordIds = resourceKeys.findRecords(vault, type, id);
        for (int i = recordIds.size() - 1; i >= 0; i--) {
            String recordId = recordIds.get(i);
            VaultRecord record = readRecord(recordId);
            Optional<RecordResources.Served> found = resources.find(record, type, id);
            if (found.isEmpty()) {
                continue; // an index entry the content does not back: never serve it
            }
            // Before anything about the record is told (its integrity, its id): without consent, only the refusal.
            if (!FhirRecords.NO_PATIENT.equals(record.patientPseudonym())
                    && consent.needed(request.caller(), List.of(type))) {
                consent.require(request.caller(), record.patientPseudonym(), "read");
            }
            LedgerIntegrity.Status status = integrity.check(record);
            if (status == LedgerIntegrity.Status.MISMATCH) {
                throw mismatch(recordId);
            }
            Resource resource = found.get().resource();
            mark(resource, recordId, status);
            String version = new RecordId(recordId).hex();
            resource.getMeta().setVersionId(version);
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("X-Caduceus-Record-Id", recordId);
            headers.put("X-Caduceus-Integrity", status.code());
            headers.put("ETag", "W/\"" + version + "\"");
            headers.put("Link", "</api/proofs/" + recordId + ">; rel=\"related\"; title=\"ledger proof\"");
            exchange.setProperty(ANSWER, new Answer(200, resource, headers));
            recordAccess(exchange, request, "read", List.of(record), Map.of(recordId, status));
            return;
        }
        throw FhirRejection.refused(404, IssueType.NOTFOUND, type + " with this id is not known here");
    }

    /**
     * {@code GET /fhir/Patient/{id}/$everything}: the newest version of every resource in the records of the patient
     * the Patient resource belongs to (by patient pseudonym, so records from every sender count), in a searchset
     * Bundle. Resource types the token may not read are left out, and the Bundle says how many.
     */
    public void everything(Exchange exchange) throws FhirRejection {
        ReadRequest request = exchange.getProperty(REQUEST, ReadRequest.class);
        String id = requireLogicalId(request.id());
        FhirWriteChecks.authorize(request.caller(), "Patient", SmartScopes.Interaction.READ);
        List<String> direct = resourceKeys.findRecords(vault, "Patient", id);
        if (direct.isEmpty()) {
            throw FhirRejection.refused(404, IssueType.NOTFOUND, "Patient with this id is not known here");
        }
        Set<String> recordIds = new LinkedHashSet<>();
        String pseudonym = null;
        for (int i = direct.size() - 1; i >= 0 && pseudonym == null; i--) {
            VaultRecord newest = readRecord(direct.get(i));
            if (resources.find(newest, "Patient", id).isPresent()) {
                pseudonym = newest.patientPseudonym();
            }
        }
        if (pseudonym == null) {
            throw FhirRejection.refused(404, IssueType.NOTFOUND, "Patient with this id is not known here");
        }
        // Every R4 type, not only those accepted on writes: records mapped from HL7 v2 hold others.
        boolean consentNeeded = consent.needed(request.caller(), fhir.getResourceTypes());
        if (consentNeeded && !FhirRecords.NO_PATIENT.equals(pseudonym)) {
            consent.require(request.caller(), pseudonym, "$everything");
        }
        // Records about no identifiable patient share one pseudonym: only the Patient's own records are its then.
        if (!FhirRecords.NO_PATIENT.equals(pseudonym)) {
            recordIds.addAll(vault.recordsOfPatient(pseudonym));
        }
        recordIds.addAll(direct);
        List<String> ordered = new ArrayList<>(recordIds);
        int skipped = Math.max(0, ordered.size() - everythingMaxRecords);
        ordered = ordered.subList(skipped, ordered.size());

        Map<String, RecordResources.Served> newestByKey = new LinkedHashMap<>();
        Map<String, String> recordOfKey = new LinkedHashMap<>();
        Map<String, LedgerIntegrity.Status> statusOfRecord = new LinkedHashMap<>();
        List<VaultRecord> disclosed = new ArrayList<>();
        List<String> notServed = new ArrayList<>();
        int erased = 0;
        int outOfScope = 0;
        int withoutConsent = 0;
        for (String recordId : ordered) {
            VaultRecord record;
            try {
                record = vault.get(recordId).orElse(null);
            } catch (RecordErasedException e) {
                erased++;
                continue;
            } catch (RecordIntegrityException e) {
                LOG.error("record {} failed its vault integrity check and is not served", recordId);
                notServed.add(recordId);
                continue;
            }
            // The vault's indexes are hash indexes: disclose only records of this patient, or holding this Patient.
            if (record == null || !record.patientPseudonym().equals(pseudonym)
                    && resources.find(record, "Patient", id).isEmpty()) {
                continue;
            }
            LedgerIntegrity.Status status = integrity.check(record);
            if (status == LedgerIntegrity.Status.MISMATCH) {
                LOG.error("record {} does not match its ledger commitment and is not served", recordId);
                notServed.add(recordId);
                continue;
            }
            // A record holding this Patient but filed under another patient identity needs that patient's grant too.
            if (consentNeeded && !record.patientPseudonym().equals(pseudonym)
                    && !FhirRecords.NO_PATIENT.equals(record.patientPseudonym())
                    && !consent.allows(request.caller(), record.patientPseudonym(), "$everything")) {
                withoutConsent++;
                continue;
            }
            boolean any = false;
            for (RecordResources.Served served : resources.of(record)) {
                if (!SmartScopes.allows(request.caller().scopes(), served.type(), SmartScopes.Interaction.READ)) {
                    outOfScope++;
                    continue;
                }
                String key = served.type() + "/" + served.id();
                newestByKey.remove(key); // re-inserted last: the bundle lists resources in the order last stored
                newestByKey.put(key, served);
                recordOfKey.put(key, recordId);
                any = true;
            }
            if (any) {
                statusOfRecord.put(recordId, status);
                disclosed.add(record);
            }
        }
        if (newestByKey.isEmpty()) {
            if (erased > 0 && notServed.isEmpty()) {
                throw FhirRejection.refused(410, IssueType.DELETED, "the patient's records have been erased");
            }
            if (!notServed.isEmpty()) {
                throw mismatch(notServed.get(0));
            }
            throw FhirRejection.refused(404, IssueType.NOTFOUND, "Patient with this id is not known here");
        }

        Bundle bundle = new Bundle();
        bundle.setType(Bundle.BundleType.SEARCHSET);
        bundle.setId(UUID.randomUUID().toString());
        bundle.getMeta().setLastUpdated(java.util.Date.from(request.receivedAt()));
        Map<LedgerIntegrity.Status, Integer> counts = new EnumMap<>(LedgerIntegrity.Status.class);
        Map<String, LedgerIntegrity.Status> disclosedStatus = new LinkedHashMap<>();
        for (Map.Entry<String, RecordResources.Served> e : newestByKey.entrySet()) {
            RecordResources.Served served = e.getValue();
            String recordId = recordOfKey.get(e.getKey());
            LedgerIntegrity.Status status = statusOfRecord.get(recordId);
            disclosedStatus.put(recordId, status);
            counts.merge(status, 1, Integer::sum);
            Resource resource = served.resource();
            mark(resource, recordId, status);
            resource.getMeta().setVersionId(new RecordId(recordId).hex());
            boolean match = "Patient".equals(served.type()) && id.equals(served.id());
            bundle.addEntry().setFullUrl(settings.baseUrl() + "/fhir/" + served.type() + "/" + served.id())
                    .setResource(resource).getSearch()
                    .setMode(match ? Bundle.SearchEntryMode.MATCH : Bundle.SearchEntryMode.INCLUDE);
        }
        bundle.setTotal(newestByKey.size());
        OperationOutcome notes = new OperationOutcome();
        if (!notServed.isEmpty()) {
            notes.addIssue().setSeverity(IssueSeverity.ERROR).setCode(IssueType.CONFLICT).setDiagnostics(notServed.size()
                    + " record(s) of this patient do not match their ledger commitment and were left out: "
                    + String.join(", ", notServed));
        }
        if (outOfScope > 0) {
            notes.addIssue().setSeverity(IssueSeverity.INFORMATION).setCode(IssueType.SUPPRESSED).setDiagnostics(outOfScope
                    + " resource(s) of types the access token may not read were left out");
        }
        if (withoutConsent > 0) {
            notes.addIssue().setSeverity(IssueSeverity.INFORMATION).setCode(IssueType.SUPPRESSED).setDiagnostics(withoutConsent
                    + " record(s) filed under another patient identity were left out: no consent in force for this client");
        }
        if (erased > 0) {
            notes.addIssue().setSeverity(IssueSeverity.INFORMATION).setCode(IssueType.DELETED).setDiagnostics(erased
                    + " record(s) were erased on request and cannot be served");
        }
        if (skipped > 0) {
            notes.addIssue().setSeverity(IssueSeverity.WARNING).setCode(IssueType.TOOCOSTLY).setDiagnostics("only the newest "
                    + everythingMaxRecords + " of " + (skipped + everythingMaxRecords) + " records were read");
        }
        if (notes.hasIssue()) {
            bundle.addEntry().setResource(notes).getSearch().setMode(Bundle.SearchEntryMode.OUTCOME);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        StringBuilder summary = new StringBuilder();
        for (LedgerIntegrity.Status s : LedgerIntegrity.Status.values()) {
            if (s != LedgerIntegrity.Status.MISMATCH) {
                summary.append(summary.length() == 0 ? "" : ", ").append(s.code()).append('=').append(counts.getOrDefault(s, 0));
            }
        }
        summary.append(", mismatch=").append(notServed.size());
        headers.put("X-Caduceus-Integrity", summary.toString());
        exchange.setProperty(ANSWER, new Answer(200, bundle, headers));
        List<VaultRecord> served = disclosed.stream().filter(r -> disclosedStatus.containsKey(r.recordId())).toList();
        recordAccess(exchange, request, "everything", served, disclosedStatus);
    }

    /** The access event is on Kafka: disclose. */
    public void answer(Exchange exchange) {
        ReadRequest request = exchange.getProperty(REQUEST, ReadRequest.class);
        Answer answer = exchange.getProperty(ANSWER, Answer.class);
        var message = exchange.getMessage();
        message.removeHeaders("*");
        answer.headers().forEach(message::setHeader);
        respond(exchange, answer.status(), responseFormat(request), answer.body());
    }

    /** A refusal: its status and an OperationOutcome; nothing was disclosed, so nothing is logged as access. */
    public void rejected(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (!(caught instanceof FhirRejection rejection)) {
            failed(exchange);
            return;
        }
        exchange.getMessage().removeHeaders("*");
        if (rejection.wwwAuthenticate() != null) {
            exchange.getMessage().setHeader("WWW-Authenticate", rejection.wwwAuthenticate());
        }
        if (rejection.status() == 409) {
            exchange.getMessage().setHeader("X-Caduceus-Integrity", LedgerIntegrity.Status.MISMATCH.code());
        }
        if (rejection.status() == 503) {
            exchange.getMessage().setHeader("Retry-After", "5");
        }
        respond(exchange, rejection.status(), responseFormat(exchange.getProperty(REQUEST, ReadRequest.class)),
                OperationOutcomes.of(rejection.issues()));
    }

    /**
     * The vault or Kafka failed: 503, and the client retries (a read whose access could not be logged is not
     * answered). A bug is 500. Nothing was disclosed either way.
     */
    public void failed(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        boolean bug = caught instanceof NullPointerException || caught instanceof ClassCastException
                || caught instanceof IllegalStateException || caught instanceof IllegalArgumentException
                || caught instanceof VaultException v && !v.isRetriable();
        LOG.warn("FHIR read not answered: {}", caught == null ? "unknown" : caught.getClass().getSimpleName());
        exchange.getMessage().removeHeaders("*");
        FhirRejection.Issue issue = FhirRejection.Issue.error(bug ? IssueType.EXCEPTION : IssueType.TRANSIENT,
                bug ? "internal error; nothing was read" : "temporarily unable to read or to log the access; please retry");
        if (!bug) {
            exchange.getMessage().setHeader("Retry-After", "5");
        }
        respond(exchange, bug ? 500 : 503, responseFormat(exchange.getProperty(REQUEST, ReadRequest.class)),
                OperationOutcomes.of(List.of(issue)));
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private VaultRecord readRecord(String recordId) throws FhirRejection {
        try {
            return vault.get(recordId).orElseThrow(() -> new IllegalStateException("indexed record " + recordId + " is missing"));
        } catch (RecordErasedException e) {
            throw FhirRejection.refused(410, IssueType.DELETED, "the patient's records have been erased");
        } catch (RecordIntegrityException e) {
            LOG.error("record {} failed its vault integrity check and is not served", recordId);
            throw mismatch(recordId);
        }
    }

    private static FhirRejection mismatch(String recordId) {
        LOG.error("record {} does not match its ledger commitment and is not served", recordId);
        return FhirRejection.refused(409, IssueType.CONFLICT, "the stored record " + recordId
                + " does not match its ledger commitment; it is not served");
    }

    private static void mark(Resource resource, String recordId, LedgerIntegrity.Status status) {
        resource.getMeta().addTag(INTEGRITY_SYSTEM, status.code(), "ledger commitment " + status.code());
        if (!resource.getMeta().hasSource()) {
            resource.getMeta().setSource(RECORD_SOURCE_PREFIX + recordId);
        }
    }

    /** Leaves the access event as the body for the route's Kafka step. */
    private void recordAccess(Exchange exchange, ReadRequest request, String interaction,
            List<VaultRecord> records, Map<String, LedgerIntegrity.Status> statuses) {
        String purpose = request.purpose() != null && PURPOSE.matcher(request.purpose()).matches() ? request.purpose() : DEFAULT_PURPOSE;
        Map<String, Object> event = new LinkedHashMap<>();
        String accessId = UUID.randomUUID().toString();
        event.put("accessId", accessId);
        event.put("accessedAt", request.receivedAt().toString());
        event.put("interaction", interaction);
        event.put("purpose", purpose);
        // Client ids are system names, but a user token's subject may name a clinician: the ledger needs only a hash,
        // and a keyed one, since client ids and subjects are few enough to hash every guess.
        event.put("callerIdHash", callerIdKey.hex(request.caller().clientId()));
        event.put("basis", "scope");
        List<Map<String, Object>> disclosed = new ArrayList<>();
        Set<String> pseudonyms = new LinkedHashSet<>();
        for (VaultRecord record : records) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("recordId", record.recordId());
            r.put("integrity", statuses.get(record.recordId()).code());
            disclosed.add(r);
            if (!FhirRecords.NO_PATIENT.equals(record.patientPseudonym())) {
                pseudonyms.add(record.patientPseudonym());
            }
        }
        event.put("records", disclosed);
        event.put("patientPseudonyms", new ArrayList<>(pseudonyms));
        exchange.setProperty(ACCESS_EVENT, accessId);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(KAFKA_KEY, accessId);
        exchange.getMessage().setBody(CanonicalJson.write(event));
    }

    private String requireKnownType(String type) throws FhirRejection {
        if (type == null || !type.matches("[A-Z][A-Za-z]{1,63}") || !fhir.getResourceTypes().contains(type)) {
            throw FhirRejection.refused(404, IssueType.NOTSUPPORTED, "not a FHIR R4 resource type");
        }
        return type;
    }

    private static String requireLogicalId(String id) throws FhirRejection {
        if (id == null || !LOGICAL_ID.matcher(id).matches()) {
            throw FhirRejection.refused(400, IssueType.INVALID, "a logical id has 1 to 64 characters A-Z a-z 0-9 - .");
        }
        return id;
    }

    private static FhirFormat responseFormat(ReadRequest request) {
        return request == null ? FhirFormat.JSON : FhirFormat.forResponse(request.format(), request.accept(), FhirFormat.JSON);
    }

    private void respond(Exchange exchange, int status, FhirFormat format, IBaseResource resource) {
        FhirExchange.respond(fhir, exchange, status, format, resource);
    }
}
