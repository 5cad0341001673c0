package io.caduceus.hl7.mapping;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.keys.KeyedHash;
import io.caduceus.hl7.v2.Hl7Message;
import io.caduceus.hl7.v2.Hl7ParseException;
import io.caduceus.hl7.v2.Hl7Segment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ResourceFactory;

/**
 * Maps HL7 v2 messages to FHIR R4 Bundles as the YAML files under {@code hl7/} describe.
 *
 * <p>The Bundle is of type {@code collection}: the entries are a snapshot of what one v2 message said, meant to
 * be stored and digested, not a FHIR messaging exchange (the MessageHeader the mappings make from MSH records what
 * the header said, as the V2-to-FHIR IG maps it; nothing is to be processed as a FHIR message). Every entry has a {@code urn:uuid:} fullUrl whose UUID is the resource id; references between
 * entries use those URNs. Ids are UUIDs made from an HMAC, under the deployment's resource-id key, of the resource's
 * identity (identifier paths named by the template, else sending application, facility, MSH-10 and segment
 * position), so the same input always gives the same bytes in one deployment, and an id (the Patient's above all)
 * does not reveal the identifiers it stands for to anyone without the key. The last entry is a Provenance naming the source message and the mapping version.
 *
 * <p>Instances are immutable after {@link Builder#build()} and safe to share between threads.
 */
public final class Hl7ToFhirMapper {
    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final CanonicalFhirJson CANONICAL_JSON = new CanonicalFhirJson(FHIR);
    private static final String PARTICIPANT_TYPES = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";
    private static final String HL7_ERROR_CODES = "http://terminology.hl7.org/CodeSystem/v2-0357";

    private final Map<String, MessageMap> messages;
    private final String mappingVersion;
    private final ZoneId defaultZone;
    private final Set<String> groupStarts;
    private final Map<String, Set<String>> sameFacts;
    private final StableIds ids;

    private Hl7ToFhirMapper(Map<String, MessageMap> messages, String mappingVersion, ZoneId defaultZone,
            Set<String> groupStarts, List<String> sameFacts, StableIds ids) {
        this.groupStarts = groupStarts;
        this.sameFacts = CoverageTracker.sameFacts(sameFacts);
        this.ids = ids;
        this.messages = messages;
        this.mappingVersion = mappingVersion;
        this.defaultZone = defaultZone;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a mapper from the mappings on the classpath, optionally overridden by an external folder. */
    public static final class Builder {
        private Path externalMappings;
        private ZoneId defaultZone = ZoneOffset.UTC;
        private ClassLoader classLoader = Hl7ToFhirMapper.class.getClassLoader();
        private KeyedHash resourceIdKey;

        private Builder() {
        }

        /**
         * A folder laid out like {@code hl7/} on the classpath ({@code messages/}, {@code resources/},
         * {@code datatypes/}, {@code valuesets/}): each file replaces the built-in file of the same relative path,
         * and message maps found only here are added.
         */
        public Builder externalMappings(Path folder) {
            if (!Files.isDirectory(folder)) {
                throw new IllegalArgumentException("not a folder: " + folder);
            }
            this.externalMappings = folder;
            return this;
        }

        /** Zone for v2 times that carry no offset when MSH-7 carries none either. Defaults to UTC. */
        public Builder defaultZone(ZoneId zone) {
            this.defaultZone = Objects.requireNonNull(zone);
            return this;
        }

        /**
         * The key resource ids are derived with: the deployment's
         * {@link io.caduceus.core.keys.DeploymentKeys.Purpose#RESOURCE_ID} key. Required: ids made without it would be
         * computable from the identifiers by anyone.
         */
        public Builder resourceIdKey(KeyedHash key) {
            this.resourceIdKey = Objects.requireNonNull(key);
            return this;
        }

        /** Loads and compiles every mapping file; a faulty file fails here, naming the file and entry. */
        public Hl7ToFhirMapper build() {
            if (resourceIdKey == null) {
                throw new IllegalStateException("a mapper needs the deployment's resource-id key (resourceIdKey)");
            }
            Definitions defs = new Definitions(classLoader, externalMappings);
            Map<String, MessageMap> compiled = new LinkedHashMap<>();
            for (String name : defs.messageNames()) {
                compiled.put(name, defs.message(name));
            }
            return new Hl7ToFhirMapper(Collections.unmodifiableMap(compiled), defs.mappingVersion(), defaultZone,
                    defs.groupStarts(), defs.sameFacts(), new StableIds(resourceIdKey));
        }
    }

    /** Message type and trigger pairs this mapper handles, as {@code ADT_A01}. */
    public List<String> supportedMessages() {
        return List.copyOf(messages.keySet());
    }

    public String mappingVersion() {
        return mappingVersion;
    }

    public MappingResult map(byte[] hl7) throws Hl7ParseException, UnsupportedMessageException, MappingException {
        Hl7Message message = Hl7Message.parse(hl7);
        return map(message);
    }

    /** Maps in {@link MappingMode#STRICT} mode: a value that cannot be mapped fails the message. */
    public MappingResult map(Hl7Message message) throws UnsupportedMessageException, MappingException {
        return map(message, MappingMode.STRICT);
    }

    /**
     * Maps in the given mode. In lenient mode a value that cannot be mapped into an element that is not required is
     * left out and named in {@link MappingResult#issues()}, and the Bundle then carries an OperationOutcome listing
     * those issues (positions, HL7 table 0357 codes and FHIR elements, no values), just before the Provenance.
     */
    public MappingResult map(Hl7Message message, MappingMode mode) throws UnsupportedMessageException, MappingException {
        return map(message, mode, null);
    }

    /**
     * Maps the message and reports, for every populated value, whether the mapping carried it into the Bundle, has
     * no rule for it, or could not use it: for integration engineers ({@code ./caduceus map FILE --coverage}).
     */
    public MappingCoverage coverage(Hl7Message message, MappingMode mode)
            throws UnsupportedMessageException, MappingException {
        CoverageTracker tracker = new CoverageTracker(sameFacts);
        MappingResult result = map(message, mode, tracker);
        return tracker.report(message, result);
    }

    private MappingResult map(Hl7Message message, MappingMode mode, CoverageTracker coverage)
            throws UnsupportedMessageException, MappingException {
        String type = message.messageType();
        String trigger = message.triggerEvent();
        MessageMap map = trigger == null ? null : messages.get(type + "_" + trigger);
        if (map == null) {
            throw new UnsupportedMessageException(type, trigger);
        }
        MappingRun run = new MappingRun(message, defaultZone, groupStarts, mode, coverage);
        requirePatientIdentifier(run);
        List<MappingRun.Instance> planned = plan(map, run);
        Bundle bundle = new Bundle();
        bundle.setType(Bundle.BundleType.COLLECTION);
        bundle.setId(ids.uuid("Bundle|" + run.messageKey));
        Hl7Segment msh = message.msh();
        if (message.controlId() != null) {
            bundle.setIdentifier(new Identifier().setSystem("urn:caduceus:hl7v2:message-control-id")
                    .setValue(message.controlId()));
        }
        String recorded = recordedTime(msh, run);
        bundle.setTimestampElement(new InstantType(recorded));

        for (MessageMap.Entry entry : map.entries()) {
            for (MappingRun.Instance instance : run.instances.getOrDefault(entry.key(), List.of())) {
                if (instance.sameAs != null) {
                    continue;
                }
                Resource resource = ResourceFactory.createResource(entry.template().resourceType());
                resource.setId(instance.id);
                instance.resource = resource;
                Scope scope = Scope.ofResource(run, instance.segment, entry.template().resourceType());
                for (Rule rule : entry.template().rules()) {
                    rule.apply(resource, scope);
                }
                for (Rule rule : entry.extraRules()) {
                    rule.apply(resource, scope);
                }
                ResourceChecks.check(resource, instance.segment, run, entry.template().rules(), entry.extraRules());
            }
        }
        ZSegments.carry(run, planned);
        Patient firstPatient = null;
        for (MappingRun.Instance instance : planned) {
            bundle.addEntry().setFullUrl(instance.reference()).setResource(instance.resource);
            if (firstPatient == null && instance.resource instanceof Patient p) {
                firstPatient = p;
            }
        }
        List<MappingIssue> issues = run.issues();
        if (!issues.isEmpty()) {
            OperationOutcome dropped = droppedValues(run, issues);
            bundle.addEntry().setFullUrl("urn:uuid:" + dropped.getIdElement().getIdPart()).setResource(dropped);
        }
        Provenance provenance = provenance(message, run, planned, recorded);
        bundle.addEntry().setFullUrl("urn:uuid:" + provenance.getIdElement().getIdPart()).setResource(provenance);
        if (coverage != null) {
            for (int field : new int[] {3, 4, 7, 10}) {
                coverage.used(msh, field, 1);
            }
            coverage.used(msh, 9, 1);
            coverage.used(msh, 9, 2);
            coverage.used(msh, 12, 1);
        }

        return new MappingResult(bundle, canonicalJson(bundle), type, trigger, message.controlId(), msh.value(3), msh.value(4),
                patientIdentifier(firstPatient), issues);
    }

    /**
     * PID-3 is required by every version of the standard, and a record must belong to a patient: a PID without an
     * identifier fails the message in either mode (HL7 101), rather than being stored as nobody's.
     */
    private static void requirePatientIdentifier(MappingRun run) throws MappingException {
        for (Hl7Segment s : run.segments) {
            if (!s.id().equals("PID")) {
                continue;
            }
            for (int r = 1; r <= s.repetitionCount(3); r++) {
                String id = s.value(3, r, 1, 1);
                if (id != null && !id.isBlank() && !"\"\"".equals(id)) {
                    return;
                }
            }
            throw new MappingException("PID", 1, 3, 0, "patient identifier list (PID-3) is empty",
                    MappingIssue.REQUIRED_FIELD_MISSING);
        }
    }

    /**
     * What lenient mapping left out, as an OperationOutcome in the Bundle, so the stored record says what it lacks
     * and why. Each issue: severity warning; code {@code value} (or {@code code-invalid} for an unknown code);
     * details coded with HL7 table 0357 (102, 103) and the v2 position as text; the FHIR element in expression;
     * diagnostics the reason. No values: the Bundle is patient data, but this entry need not add any.
     */
    private OperationOutcome droppedValues(MappingRun run, List<MappingIssue> issues) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.setId(ids.uuid("OperationOutcome|" + run.messageKey));
        for (MappingIssue i : issues) {
            OperationOutcome.OperationOutcomeIssueComponent issue = outcome.addIssue()
                    .setSeverity(OperationOutcome.IssueSeverity.WARNING)
                    .setCode(i.hl7ErrorCode() == MappingIssue.TABLE_VALUE_NOT_FOUND
                            ? OperationOutcome.IssueType.CODEINVALID : OperationOutcome.IssueType.VALUE)
                    .setDiagnostics("v2 value at " + i.location() + " left out: " + i.reason());
            issue.getDetails().setText(i.location()).addCoding().setSystem(HL7_ERROR_CODES)
                    .setCode(Integer.toString(i.hl7ErrorCode())).setDisplay(i.codeText());
            issue.addExpression(i.element());
        }
        return outcome;
    }

    /**
     * The Bundle's RFC 8785 bytes, written straight from the model. For the few constructs the direct writer does
     * not reproduce exactly it refuses, and the bytes come from HAPI's JSON encoder and the canonicalizer instead,
     * which is what the direct writer is tested to match.
     */
    static byte[] canonicalJson(Bundle bundle) {
        try {
            return CANONICAL_JSON.encode(bundle);
        } catch (CanonicalFhirJson.Unsupported e) {
            return canonicalJsonThroughHapi(bundle);
        }
    }

    /** The reference encoding: HAPI's JSON, canonicalized. */
    static byte[] canonicalJsonThroughHapi(Resource resource) {
        return CanonicalJson.canonicalize(FHIR.newJsonParser().encodeResourceToString(resource));
    }

    private List<MappingRun.Instance> plan(MessageMap map, MappingRun run) {
        List<MappingRun.Instance> planned = new ArrayList<>();
        Map<String, MappingRun.Instance> byId = new java.util.HashMap<>();
        for (MessageMap.Entry entry : map.entries()) {
            List<MappingRun.Instance> ofEntry = new ArrayList<>();
            for (Hl7Segment segment : run.segments) {
                if (!segment.id().equals(entry.segmentId())) {
                    continue;
                }
                Scope scope = new Scope(run, segment, null);
                if (entry.when() != null && !entry.when().test(scope)) {
                    continue;
                }
                String id = ids.uuid(entry.template().resourceType() + "|" + identity(entry, scope, run));
                MappingRun.Instance earlier = byId.get(id);
                MappingRun.Instance instance = new MappingRun.Instance(entry.key(), segment, id, earlier);
                ofEntry.add(instance);
                if (earlier == null) {
                    byId.put(id, instance);
                    planned.add(instance);
                }
                if (!entry.repeat()) {
                    break;
                }
            }
            run.instances.put(entry.key(), ofEntry);
        }
        return planned;
    }

    private static String identity(MessageMap.Entry entry, Scope scope, MappingRun run) {
        StringBuilder sb = new StringBuilder("id");
        boolean any = false;
        for (V2Path p : entry.template().identity()) {
            V2Node n = p.first(scope);
            sb.append('|');
            if (n != null) {
                sb.append(n.identityText());
                any = true;
            }
        }
        return any ? sb.toString() : "msg|" + run.messageKey + "|" + scope.segment.index() + "|" + entry.key();
    }

    private static String recordedTime(Hl7Segment msh, MappingRun run) throws MappingException {
        String ts = msh.value(7);
        if (ts == null) {
            throw new MappingException("MSH", 1, 7, 0, "message date/time missing");
        }
        try {
            return V2DateTimes.toFhir(ts, "instant", run);
        } catch (IllegalArgumentException e) {
            throw new MappingException("MSH", 1, 7, 0, e.getMessage());
        }
    }

    private Provenance provenance(Hl7Message message, MappingRun run, List<MappingRun.Instance> planned,
            String recorded) {
        Provenance p = new Provenance();
        p.setId(ids.uuid("Provenance|" + run.messageKey));
        for (MappingRun.Instance i : planned) {
            p.addTarget(new Reference(i.reference()));
        }
        p.setRecordedElement(new InstantType(recorded));
        p.addPolicy("urn:caduceus:hl7-mappings:" + mappingVersion);
        Hl7Segment msh = message.msh();
        addAgent(p, "author", "urn:caduceus:hl7v2:sending-application", msh.value(3));
        addAgent(p, "custodian", "urn:caduceus:hl7v2:sending-facility", msh.value(4));
        Provenance.ProvenanceEntityComponent source = p.addEntity();
        source.setRole(Provenance.ProvenanceEntityRole.SOURCE);
        Reference what = new Reference().setDisplay("HL7 v" + message.version() + " " + message.messageType() + "^"
                + message.triggerEvent() + " message");
        if (message.controlId() != null) {
            what.setIdentifier(new Identifier().setSystem("urn:caduceus:hl7v2:message-control-id")
                    .setValue(message.controlId()));
        }
        source.setWhat(what);
        return p;
    }

    private static void addAgent(Provenance p, String type, String system, String name) {
        if (name == null) {
            return;
        }
        Provenance.ProvenanceAgentComponent agent = p.addAgent();
        agent.getType().addCoding().setSystem(PARTICIPANT_TYPES).setCode(type);
        agent.setWho(new Reference().setIdentifier(new Identifier().setSystem(system).setValue(name)).setDisplay(name));
    }

    private static MappingResult.PatientIdentifier patientIdentifier(Patient patient) {
        if (patient == null || !patient.hasIdentifier()) {
            return null;
        }
        Identifier first = patient.getIdentifierFirstRep();
        return first.hasValue() ? new MappingResult.PatientIdentifier(first.getSystem(), first.getValue()) : null;
    }
}
