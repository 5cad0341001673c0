package io.caduceus.routes.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The validator the application uses (one HAPI InstanceValidator per thread, used again) against HAPI's own module
 * configured as the application configured it before (a new InstanceValidator per validation): same issues, in the
 * same order, for every body of a corpus of valid content (the FHIR test fixtures, the mapper's golden bundles) and
 * invalid mutants of it, validated one after another on the same thread so that what one validation leaves behind
 * would show in the next.
 */
class ReusedInstanceValidatorTest {


    @TempDir
    static Path profiles;

    private static ProfileValidator reused;
    private static ProfileValidator hapi;

    @BeforeAll
    static void create() throws IOException {
        // A constraint profile, so that configured and claimed profiles are part of what is compared.
        Files.writeString(profiles.resolve("patient-with-birthdate.json"), """
                {"resourceType":"StructureDefinition","url":"http://example.org/fhir/StructureDefinition/patient-bd",
                 "name":"PatientWithBirthDate","status":"active","kind":"resource","abstract":false,"type":"Patient",
                 "baseDefinition":"http://hl7.org/fhir/StructureDefinition/Patient","derivation":"constraint",
                 "differential":{"element":[{"id":"Patient.birthDate","path":"Patient.birthDate","min":1}]}}
                """);
        reused = ProfileValidator.create(FhirContext.forR4Cached(), profiles, true);
        hapi = ProfileValidator.create(FhirContext.forR4Cached(), profiles, false);
    }

    @Test
    void sameIssuesAsHapisOwnValidatorOverTheCorpusAndItsMutants() throws IOException {
        Map<String, String> corpus = FhirCorpus.bodies();
        int refused = 0;
        int accepted = 0;
        for (Map.Entry<String, String> body : corpus.entrySet()) {
            String type = FhirCorpus.resourceType(body.getValue());
            List<FhirRejection.Issue> expected = hapi.validate(body.getValue(), type);
            List<FhirRejection.Issue> actual = reused.validate(body.getValue(), type);
            assertThat(actual).as(body.getKey()).isEqualTo(expected);
            if (expected.isEmpty()) {
                accepted++;
            } else {
                refused++;
            }
        }
        // The corpus must exercise both verdicts, or the comparison proves little.
        assertThat(accepted).as("accepted bodies").isGreaterThanOrEqualTo(30);
        assertThat(refused).as("refused bodies").isGreaterThanOrEqualTo(100);
    }

    /**
     * A reused validator must not hold on to what it validated: HAPI's CodingsObserver kept every coding (and its
     * element) of every bundle, and the middleware's heap ran out under load.
     */
    @Test
    void aReusedValidatorKeepsNothingOfWhatItValidated() throws Exception {
        assertThat(ReusedInstanceValidator.CODINGS_SEEN).as("HAPI's CodingsObserver list, found by reflection").isNotNull();
        ReusedInstanceValidator module = new ReusedInstanceValidator(new ca.uhn.fhir.context.support.DefaultProfileValidationSupport(
                FhirContext.forR4Cached()));
        ca.uhn.fhir.validation.FhirValidator validator = FhirContext.forR4Cached().newValidator().registerValidatorModule(module);
        for (int i = 0; i < 5; i++) {
            validator.validateWithResult(FhirSamples.transaction("MRN-" + i, 3));
        }
        assertThat(ReusedInstanceValidator.codingsSeen(module.currentValidator())).isZero();
    }

    /** More validations than one reused InstanceValidator serves: the replacement gives the same verdicts. */
    @Test
    void aReplacedValidatorGivesTheSameVerdicts() {
        String valid = FhirSamples.transaction("MRN-1", 2);
        String invalid = valid.replace("\"final\"", "\"finished-ish\"");
        List<FhirRejection.Issue> refusal = hapi.validate(invalid, "Bundle");
        assertThat(refusal).isNotEmpty();
        for (int i = 0; i < ReusedInstanceValidator.USES_PER_VALIDATOR + 5; i++) {
            if (i % 97 == 0) {
                assertThat(reused.validate(invalid, "Bundle")).isEqualTo(refusal);
            } else {
                assertThat(reused.validate(valid, "Bundle")).isEmpty();
            }
        }
    }
}
