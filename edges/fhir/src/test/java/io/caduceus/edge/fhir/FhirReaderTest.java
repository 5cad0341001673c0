package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.commitment.HidingCommitments;
import io.caduceus.edge.fhir.FhirReadFixture.Outcome;
import io.caduceus.core.commitment.Salt;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.hash.Sha256;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.keys.DeploymentKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read bean's steps as the route calls them, over records written by the inbound bean into a real file vault;
 * the ledger view is a map standing in for the bridge's log (the Kafka step is the route's).
 */
class FhirReaderTest {

    private static final FhirContext FHIR = FhirTestBeans.FHIR;

    @TempDir
    static Path work;

    private static FhirReadFixture fixture;
    private static RecordVault vault;
    private static FhirReader reader;
    private static final Map<RecordId, Digest> LEDGER = new ConcurrentHashMap<>();
    private static volatile boolean ledgerAvailable = true;

    @BeforeAll
    static void start() {
        fixture = new FhirReadFixture(work);
        vault = fixture.vault();
        reader = fixture.reader(new LedgerIntegrity(() -> ledgerAvailable
                ? Optional.of(id -> Optional.ofNullable(LEDGER.get(id))) : Optional.empty()), ReadConsent.OFF);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @BeforeEach
    void ledgerUp() {
        ledgerAvailable = true;
    }

    /** Writes as FHIR inbound does; {@code toLedger}: its commitment is on the ledger view. */
    private static LedgerEntry write(String interaction, String type, String id, String body, boolean toLedger) {
        LedgerEntry entry = fixture.write(interaction, type, id, body);
        if (toLedger) {
            LEDGER.put(entry.recordId(), entry.commitment());
        }
        return entry;
    }

    private static Outcome read(String operation, String type, String id, String scope) {
        return fixture.read(reader, operation, type, id, scope);
    }

    private static String integrityTag(Resource resource) {
        return resource.getMeta().getTag().stream().filter(t -> FhirReader.INTEGRITY_SYSTEM.equals(t.getSystem()))
                .map(Coding::getCode).findFirst().orElse(null);
    }

    @Test
    void aCreatedPatientIsReadBackUnderItsAssignedIdAndVerifiedAgainstTheLedger() {
        LedgerEntry entry = write("create", "Patient", null, FhirSamples.patient("MRN-R1"), true);
        String id = FhirRecords.logicalId(entry.recordId());

        Outcome outcome = read("read", "Patient", id, "user/Patient.read");

        assertThat(outcome.status()).isEqualTo(200);
        Patient patient = outcome.resource(Patient.class);
        assertThat(patient.getIdElement().getIdPart()).isEqualTo(id);
        assertThat(patient.getNameFirstRep().getFamily()).isEqualTo(FhirSamples.CANARY);
        assertThat(integrityTag(patient)).isEqualTo("verified");
        assertThat(patient.getMeta().getSource()).isEqualTo(FhirReader.RECORD_SOURCE_PREFIX + entry.recordId().value());
        assertThat(outcome.headers()).containsEntry("X-Caduceus-Integrity", "verified")
                .containsEntry("X-Caduceus-Record-Id", entry.recordId().value());
        assertThat(outcome.headers()).doesNotContainKey("Authorization");

        @SuppressWarnings("unchecked")
        Map<String, Object> event = (Map<String, Object>) CanonicalJson.parse(outcome.accessEvent());
        assertThat(event).containsEntry("interaction", "read").containsEntry("purpose", "TREAT");
        assertThat(event.get("callerIdHash")).isEqualTo(FhirTestBeans.KEYS.keyFor(DeploymentKeys.Purpose.CALLER_ID)
                .hex("test-client")).asString().matches("[0-9a-f]{64}")
                .isNotEqualTo(Sha256.digest("test-client".getBytes(StandardCharsets.UTF_8)).hex())
                .isNotEqualTo(new DeploymentKeys(new byte[32]).keyFor(DeploymentKeys.Purpose.CALLER_ID).hex("test-client"));
        assertThat(event.get("records").toString()).contains(entry.recordId().value()).contains("verified");
        assertThat(event.get("patientPseudonyms").toString()).contains(entry.patientPseudonym().orElseThrow().value());
        assertThat(outcome.accessEvent()).as("no content or identifier in the access log")
                .doesNotContain(FhirSamples.CANARY).doesNotContain("MRN-R1").doesNotContain("test-client");
    }

    @Test
    void aRecordNotYetOnTheLedgerIsServedAsPendingAndWithoutALedgerViewAsUnavailable() {
        LedgerEntry entry = write("create", "Patient", null, FhirSamples.patient("MRN-R2"), false);
        String id = FhirRecords.logicalId(entry.recordId());
        assertThat(integrityTag(read("read", "Patient", id, "system/*.read").resource(Patient.class))).isEqualTo("pending");
        ledgerAvailable = false;
        Outcome outcome = read("read", "Patient", id, "system/*.read");
        assertThat(integrityTag(outcome.resource(Patient.class))).isEqualTo("unavailable");
        assertThat(outcome.headers()).containsEntry("X-Caduceus-Integrity", "unavailable");
    }

    @Test
    void aRecordThatDoesNotMatchItsLedgerCommitmentIsNeverServed() {
        LedgerEntry entry = write("create", "Patient", null, FhirSamples.patient("MRN-R3"), true);
        String id = FhirRecords.logicalId(entry.recordId());
        // What the ledger holds is the commitment of other content (a vault rewritten with the master key, say).
        LEDGER.put(entry.recordId(), HidingCommitments.commit(Salt.random(), "{}".getBytes(StandardCharsets.UTF_8)));

        Outcome outcome = read("read", "Patient", id, "system/*.read");

        assertThat(outcome.status()).isEqualTo(409);
        assertThat(outcome.body()).doesNotContain(FhirSamples.CANARY).contains("does not match its ledger commitment");
        assertThat(outcome.headers()).containsEntry("X-Caduceus-Integrity", "mismatch");
        assertThat(outcome.accessEvent()).isNull();
        assertThat(outcome.resource(OperationOutcome.class).getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.CONFLICT);
    }

    @Test
    void anUpdateIsReadUnderItsOwnIdAndTheNewestVersionWins() {
        String v1 = "{\"resourceType\":\"Patient\",\"id\":\"upd-1\",\"gender\":\"female\",\"identifier\":[{\"system\":\"urn:x\",\"value\":\"MRN-U1\"}]}";
        String v2 = "{\"resourceType\":\"Patient\",\"id\":\"upd-1\",\"gender\":\"male\",\"identifier\":[{\"system\":\"urn:x\",\"value\":\"MRN-U1\"}]}";
        write("update", "Patient", "upd-1", v1, true);
        LedgerEntry second = write("update", "Patient", "upd-1", v2, true);

        Outcome outcome = read("read", "Patient", "upd-1", "system/Patient.r");

        assertThat(outcome.status()).isEqualTo(200);
        Patient patient = outcome.resource(Patient.class);
        assertThat(patient.getGender().toCode()).isEqualTo("male");
        assertThat(patient.getMeta().getVersionId()).isEqualTo(FhirRecords.logicalId(second.recordId()));
        assertThat(outcome.headers().get("ETag")).isEqualTo("W/\"" + FhirRecords.logicalId(second.recordId()) + "\"");
    }

    @Test
    void transactionEntriesAreReadUnderTheIdsTheyWereAnsweredWith() {
        LedgerEntry entry = write("bundle", null, null, FhirSamples.transaction("MRN-T1", 3), true);
        String observationId = FhirRecords.entryId(entry.recordId(), 2);
        Outcome outcome = read("read", "Observation", observationId, "system/Observation.read");
        assertThat(outcome.status()).isEqualTo(200);
        assertThat(outcome.body()).contains("\"resourceType\":\"Observation\"").contains(observationId);
    }

    @Test
    void everythingGathersEveryRecordOfThePatientAcrossWritesAndLeavesOutWhatTheScopesDoNotCover() {
        LedgerEntry created = write("create", "Patient", null, FhirSamples.patient("MRN-E1"), true);
        LedgerEntry transaction = write("bundle", null, null, FhirSamples.transaction("MRN-E1", 2), false);
        write("create", "Patient", null, FhirSamples.patient("MRN-OTHER"), true);
        String patientId = FhirRecords.logicalId(created.recordId());

        Outcome outcome = read("everything", "Patient", patientId, "system/*.read");

        assertThat(outcome.status()).isEqualTo(200);
        Bundle bundle = outcome.resource(Bundle.class);
        assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
        // the created Patient, plus the transaction's Patient and 2 Observations (same MRN: same pseudonym)
        assertThat(bundle.getTotal()).isEqualTo(4);
        assertThat(bundle.getEntry()).filteredOn(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH)
                .singleElement().satisfies(e -> assertThat(e.getResource().getIdElement().getIdPart()).isEqualTo(patientId));
        assertThat(bundle.getEntry()).extracting(e -> integrityTag(e.getResource()))
                .containsOnly("verified", "pending").contains("verified", "pending");
        assertThat(outcome.body()).doesNotContain("MRN-OTHER");
        assertThat(outcome.headers().get("X-Caduceus-Integrity").toString()).contains("verified=1").contains("pending=3");
        assertThat(outcome.accessEvent()).contains(created.recordId().value()).contains(transaction.recordId().value());

        Outcome patientsOnly = read("everything", "Patient", patientId, "system/Patient.read");
        Bundle narrowed = patientsOnly.resource(Bundle.class);
        assertThat(narrowed.getTotal()).isEqualTo(2);
        assertThat(narrowed.getEntry()).filteredOn(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.OUTCOME)
                .singleElement().satisfies(e -> assertThat(((OperationOutcome) e.getResource()).getIssueFirstRep().getDiagnostics())
                        .contains("2 resource(s) of types the access token may not read"));
    }

    @Test
    void everythingLeavesOutAMismatchedRecordAndSaysSo() {
        LedgerEntry created = write("create", "Patient", null, FhirSamples.patient("MRN-E2"), true);
        LedgerEntry transaction = write("bundle", null, null, FhirSamples.transaction("MRN-E2", 1), true);
        LEDGER.put(transaction.recordId(), HidingCommitments.commit(Salt.random(), "{}".getBytes(StandardCharsets.UTF_8)));

        Outcome outcome = read("everything", "Patient", FhirRecords.logicalId(created.recordId()), "system/*.read");

        Bundle bundle = outcome.resource(Bundle.class);
        assertThat(bundle.getTotal()).isEqualTo(1);
        assertThat(outcome.body()).contains("do not match their ledger commitment").contains(transaction.recordId().value());
        assertThat(outcome.accessEvent()).doesNotContain(transaction.recordId().value());
        assertThat(outcome.headers().get("X-Caduceus-Integrity").toString()).contains("mismatch=1");
    }

    @Test
    void erasedRecordsAreForgottenAndAReturningPatientIsServed() {
        LedgerEntry entry = write("create", "Patient", null, FhirSamples.patient("MRN-G1"), true);
        vault.erasePatient(entry.patientPseudonym().orElseThrow().value());
        String id = FhirRecords.logicalId(entry.recordId());
        // Erasure forgets: the lookups no longer find the records, so nothing tells they ever existed.
        assertThat(read("read", "Patient", id, "system/*.read").status()).isEqualTo(404);
        assertThat(read("everything", "Patient", id, "system/*.read").status()).isEqualTo(404);

        LedgerEntry returning = write("create", "Patient", null, FhirSamples.patient("MRN-G1").replace("1970-01-01", "1970-01-02"), true);
        assertThat(returning.patientPseudonym()).isEqualTo(entry.patientPseudonym());
        String newId = FhirRecords.logicalId(returning.recordId());
        assertThat(read("read", "Patient", newId, "system/*.read").status()).isEqualTo(200);
        Outcome everything = read("everything", "Patient", newId, "system/*.read");
        assertThat(everything.status()).isEqualTo(200);
        assertThat(everything.resource(Bundle.class).getTotal()).isEqualTo(1);
        assertThat(everything.body()).doesNotContain("erased");
    }

    @Test
    void refusalsCarryAnOperationOutcomeAndLogNoAccess() {
        LedgerEntry entry = write("create", "Patient", null, FhirSamples.patient("MRN-F1"), true);
        String id = FhirRecords.logicalId(entry.recordId());
        Outcome anonymous = read("read", "Patient", id, null);
        assertThat(anonymous.status()).isEqualTo(401);
        Outcome writeOnly = read("read", "Patient", id, "system/*.write");
        assertThat(writeOnly.status()).isEqualTo(403);
        assertThat(writeOnly.body()).doesNotContain(FhirSamples.CANARY);
        Outcome patientScope = read("read", "Patient", id, "patient/*.read");
        assertThat(patientScope.status()).isEqualTo(403);
        assertThat(read("read", "Patient", "no-such-patient", "system/*.read").status()).isEqualTo(404);
        assertThat(read("read", "NotAType", id, "system/*.read").status()).isEqualTo(404);
        assertThat(read("read", "Patient", "bad id with spaces", "system/*.read").status()).isEqualTo(400);
        assertThat(read("everything", "Patient", "no-such-patient", "system/*.read").status()).isEqualTo(404);
        for (Outcome o : List.of(anonymous, writeOnly, patientScope)) {
            assertThat(o.accessEvent()).isNull();
            assertThat(FHIR.newJsonParser().parseResource(o.body())).isInstanceOf(OperationOutcome.class);
        }
    }

    @Test
    void anIndexEntryTheContentDoesNotBackIsNotServed() {
        // A record listed under a key its content does not hold (a damaged or tampered index): nothing is served.
        VaultRecord stray = new VaultRecord("r_" + "ab".repeat(16), "pp1_" + "cd".repeat(16), Salt.random().toBytes(),
                "application/fhir+json", FhirSamples.patient("MRN-X").getBytes(StandardCharsets.UTF_8), new byte[0], Instant.now())
                .withLookupKeys(List.of(FhirTestBeans.RESOURCE_KEYS.of("Patient", "someone-else")));
        vault.put(stray);
        assertThat(read("read", "Patient", "someone-else", "system/*.read").status()).isEqualTo(404);
    }
}
