package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileValidatorTest {

    private static ProfileValidator validator;

    @BeforeAll
    static void create() {
        validator = ProfileValidator.create(FhirContext.forR4Cached(), null);
    }

    @Test
    void aValidPatientAndTransactionHaveNoErrors() {
        assertThat(validator.validate(FhirSamples.patient("MRN-1"), "Patient")).isEmpty();
        assertThat(validator.validate(FhirSamples.patientXml("MRN-1"), "Patient")).isEmpty();
        assertThat(validator.validate(FhirSamples.transaction("MRN-1", 9), "Bundle")).isEmpty();
    }

    @Test
    void anInvalidCodeIsAnErrorAtItsLocationWithoutTheValue() {
        List<FhirRejection.Issue> issues = validator.validate(FhirSamples.patient("MRN-1").replace("\"female\"", "\"robot\""), "Patient");
        assertThat(issues).isNotEmpty();
        assertThat(issues).anySatisfy(i -> assertThat(i.expression()).contains("gender"));
        assertThat(issues).allSatisfy(i -> assertThat(i.diagnostics()).doesNotContain("robot").doesNotContain(FhirSamples.CANARY));
    }

    /**
     * The validators running at once share what is built once (conformance resources, the OID registry): an invalid
     * bundle must still be refused, and a valid one accepted, whatever the others validate at the same moment.
     */
    @Test
    void concurrentValidationsEachGetTheirOwnVerdict() throws Exception {
        String valid = FhirSamples.transaction("MRN-1", 9);
        String invalid = valid.replace("\"final\"", "\"finished-ish\"");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Boolean>> verdicts = new java.util.ArrayList<>();
            for (int i = 0; i < 64; i++) {
                boolean bad = i % 2 == 1;
                verdicts.add(pool.submit(() -> validator.validate(bad ? invalid : valid, "Bundle").isEmpty() != bad));
            }
            for (java.util.concurrent.Future<Boolean> verdict : verdicts) {
                assertThat(verdict.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(validator.validate(invalid, "Bundle")).anySatisfy(i -> assertThat(i.expression()).contains("status"));
    }

    @Test
    void unknownElementsAndBadDatesAreErrorsWithoutTheirValues() {
        List<FhirRejection.Issue> issues = validator.validate(FhirSamples.patient("MRN-1")
                .replace("\"1970-01-01\"", "\"1970-13-45\"").replace("\"gender\"", "\"sex\""), "Patient");
        assertThat(issues).hasSizeGreaterThanOrEqualTo(2);
        assertThat(issues).allSatisfy(i -> assertThat(i.diagnostics()).doesNotContain("1970-13-45").doesNotContain(FhirSamples.CANARY));
        assertThat(issues).extracting(FhirRejection.Issue::type).doesNotContainNull();
    }

    @Test
    void constraintProfilesFromTheFolderApplyToTheirType(@TempDir Path profiles) throws Exception {
        // A profile making Patient.birthDate mandatory.
        Files.writeString(profiles.resolve("patient-with-birthdate.json"), """
                {"resourceType":"StructureDefinition","url":"http://example.org/fhir/StructureDefinition/patient-bd",
                 "name":"PatientWithBirthDate","status":"active","kind":"resource","abstract":false,"type":"Patient",
                 "baseDefinition":"http://hl7.org/fhir/StructureDefinition/Patient","derivation":"constraint",
                 "differential":{"element":[{"id":"Patient.birthDate","path":"Patient.birthDate","min":1}]}}
                """);
        ProfileValidator withProfile = ProfileValidator.create(FhirContext.forR4Cached(), profiles);
        assertThat(withProfile.customProfiles()).containsKey("Patient");
        assertThat(withProfile.validate(FhirSamples.patient("MRN-2"), "Patient")).isEmpty();
        List<FhirRejection.Issue> issues = withProfile.validate(FhirSamples.patient("MRN-2").replace(",\"birthDate\":\"1970-01-01\"", ""), "Patient");
        assertThat(issues).isNotEmpty();
        assertThat(issues).anySatisfy(i -> assertThat(i.expression()).startsWith("Patient"));
    }

    @Test
    void messageIdsMapToIssueTypes() {
        assertThat(ProfileValidator.issueType("Terminology_TX_NoValid_2_CC")).isEqualTo(IssueType.CODEINVALID);
        assertThat(ProfileValidator.issueType("Type_Specific_Checks_DT_DateTime_Valid")).isEqualTo(IssueType.VALUE);
        assertThat(ProfileValidator.issueType(null)).isEqualTo(IssueType.PROCESSING);
    }
}
