package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.edge.consent.ConsentChecks;
import io.caduceus.edge.consent.ConsentMode;
import io.caduceus.edge.consent.ConsentSettings;
import io.caduceus.edge.consent.FakeConsentLedger;
import io.caduceus.edge.fhir.FhirReadFixture.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads under caduceus.fhir.read.consent: the read bean's steps as the route calls them, with the patient's grants on
 * a fake ledger (the client id of the test tokens, test-client, is the grantee).
 */
class FhirReaderConsentTest {

    private static final String CLIENT = "test-client";

    @TempDir
    static Path work;

    private static FhirReadFixture fixture;
    private static final FakeConsentLedger LEDGER = new FakeConsentLedger();

    private static LedgerEntry patient;
    private static LedgerEntry observations;
    private static String patientId;
    private static String pseudonym;

    @BeforeAll
    static void start() {
        fixture = new FhirReadFixture(work);
        patient = fixture.write("create", "Patient", null, FhirSamples.patient("MRN-C1"));
        observations = fixture.write("bundle", null, null, FhirSamples.transaction("MRN-C1", 2));
        patientId = FhirRecords.logicalId(patient.recordId());
        pseudonym = patient.patientPseudonym().orElseThrow().value();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @BeforeEach
    void ledgerUp() {
        LEDGER.down = null;
    }

    private static FhirReader reader(ConsentMode mode) {
        // Nothing kept: the cache has its own test, and each read here must see the grant as it is now.
        ConsentChecks checks = new ConsentChecks(() -> Optional.of(LEDGER), new ConsentSettings(mode, Duration.ZERO, 10));
        return fixture.reader(new LedgerIntegrity(Optional::empty), new ReadConsent(mode, checks));
    }

    private static Outcome read(FhirReader reader, String operation, String type, String id, String scope) {
        return fixture.read(reader, operation, type, id, scope);
    }

    private static void assertRefusedWithoutDisclosure(Outcome outcome, int status) {
        assertThat(outcome.status()).isEqualTo(status);
        assertThat(outcome.accessEvent()).as("nothing disclosed, nothing to log").isNull();
        assertThat(outcome.body()).as("the refusal names no patient or record").doesNotContain(FhirSamples.CANARY)
                .doesNotContain("MRN-C1").doesNotContain(pseudonym).doesNotContain(pseudonym.substring(4))
                .doesNotContain(patient.recordId().value());
        OperationOutcome oo = FhirTestBeans.FHIR.newJsonParser().parseResource(OperationOutcome.class, outcome.body());
        assertThat(oo.getIssueFirstRep().getCode()).isEqualTo(status == 403 ? OperationOutcome.IssueType.FORBIDDEN
                : OperationOutcome.IssueType.TRANSIENT);
    }

    @Test
    void byDefaultAUserScopedReadNeedsTheGrantAndASystemScopedOneDoesNot() {
        FhirReader reader = reader(ConsentMode.USER);
        assertRefusedWithoutDisclosure(read(reader, "read", "Patient", patientId, "user/Patient.read"), 403);
        assertThat(read(reader, "read", "Patient", patientId, "system/Patient.read").status())
                .as("a backend acting under its own agreement").isEqualTo(200);

        LEDGER.grantAccess(pseudonym, CLIENT, Optional.empty());
        try {
            Outcome granted = read(reader, "read", "Patient", patientId, "user/Patient.read");
            assertThat(granted.status()).isEqualTo(200);
            assertThat(granted.body()).contains(FhirSamples.CANARY);
            assertThat(granted.accessEvent()).contains(patient.recordId().value());

            LEDGER.revokeAccess(pseudonym, CLIENT);
            assertRefusedWithoutDisclosure(read(reader, "read", "Patient", patientId, "user/Patient.read"), 403);
        } finally {
            LEDGER.revokeAccess(pseudonym, CLIENT);
        }
    }

    @Test
    void anExpiredGrantNoLongerAllowsTheRead() {
        FhirReader reader = reader(ConsentMode.USER);
        LEDGER.grantAccess(pseudonym, CLIENT, Optional.of(LEDGER.now.plusSeconds(60)));
        assertThat(read(reader, "read", "Patient", patientId, "user/*.read").status()).isEqualTo(200);
        LEDGER.now = LEDGER.now.plusSeconds(61);
        assertRefusedWithoutDisclosure(read(reader, "read", "Patient", patientId, "user/*.read"), 403);
    }

    @Test
    void enforcedEveryReadNeedsTheGrantWhateverItsScopes() {
        FhirReader reader = reader(ConsentMode.ENFORCE);
        assertRefusedWithoutDisclosure(read(reader, "read", "Patient", patientId, "system/*.read"), 403);
        assertRefusedWithoutDisclosure(read(reader, "everything", "Patient", patientId, "system/*.read"), 403);
        assertThat(read(reader(ConsentMode.OFF), "read", "Patient", patientId, "user/*.read").status())
                .as("off: scopes alone").isEqualTo(200);
    }

    @Test
    void aLedgerThatCannotSayRefusesTheReadWith503() {
        LEDGER.down = FakeConsentLedger.unavailable();
        Outcome outcome = read(reader(ConsentMode.USER), "read", "Patient", patientId, "user/Patient.read");
        assertRefusedWithoutDisclosure(outcome, 503);
        assertThat(outcome.retryAfter()).isEqualTo("5");
        assertThat(read(reader(ConsentMode.USER), "read", "Patient", patientId, "system/Patient.read").status())
                .as("a read that needs no consent does not wait on the ledger").isEqualTo(200);
    }

    @Test
    void everythingNeedsThePatientsGrantWhenAnyTypeIsReadThroughAUserScopeOnly() {
        FhirReader reader = reader(ConsentMode.USER);
        assertRefusedWithoutDisclosure(read(reader, "everything", "Patient", patientId, "user/*.read"), 403);
        assertRefusedWithoutDisclosure(read(reader, "everything", "Patient", patientId,
                "system/Patient.read user/Observation.read"), 403);
        assertThat(read(reader, "everything", "Patient", patientId, "system/*.read").status()).isEqualTo(200);

        LEDGER.grantAccess(pseudonym, CLIENT, Optional.empty());
        try {
            Outcome granted = read(reader, "everything", "Patient", patientId, "user/*.read");
            assertThat(granted.status()).isEqualTo(200);
            assertThat(granted.accessEvent()).contains(patient.recordId().value())
                    .contains(observations.recordId().value());
        } finally {
            LEDGER.revokeAccess(pseudonym, CLIENT);
        }
    }
}
