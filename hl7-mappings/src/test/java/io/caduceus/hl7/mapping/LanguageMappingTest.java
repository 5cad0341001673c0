package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** PID-15 as senders write it, in the ADT_A01 fixture: a BCP-47 code where there is one, text otherwise, and valid FHIR. */
class LanguageMappingTest {

    private static FhirValidator validator;

    @BeforeAll
    static void createValidator() {
        FhirContext ctx = FhirContext.forR4Cached();
        validator = ctx.newValidator();
        validator.registerValidatorModule(new FhirInstanceValidator(new ValidationSupportChain(
                new DefaultProfileValidationSupport(ctx), new InMemoryTerminologyServerValidationSupport(ctx),
                new CommonCodeSystemsTerminologyService(ctx), new SnapshotGeneratingValidationSupport(ctx))));
    }

    @ParameterizedTest(name = "PID-15 {0}")
    @CsvSource(delimiter = ';', value = {
        "EN; en; ; ",
        "ENG^English^HL70296; en; English; English",
        "en_us; en-US; ; ",
        "ger^German^ISO639-2; de; German; German",
        "Klingon; ; ; Klingon",
        "X1^Local English^99LNG; ; ; Local English",
        "X1^Local English^99LNG^EN^English^ISO639; en; English; Local English"
    })
    void pid15BecomesABcp47CodeOrText(String pid15, String code, String display, String text) throws Exception {
        String fixture = new String(Fixtures.message("ADT_A01"), StandardCharsets.UTF_8);
        assertThat(fixture).contains("|de^German^ISO639|");
        MappingResult result = Fixtures.mapper().map(fixture.replace("|de^German^ISO639|", "|" + pid15 + "|")
                .getBytes(StandardCharsets.UTF_8));
        Patient patient = (Patient) result.bundle().getEntryFirstRep().getResource();
        CodeableConcept language = patient.getCommunicationFirstRep().getLanguage();
        if (code == null) {
            assertThat(language.getCoding()).as("no code that is not a language tag").isEmpty();
        } else {
            assertThat(language.getCoding()).singleElement().satisfies(c -> {
                assertThat(c.getSystem()).isEqualTo("urn:ietf:bcp:47");
                assertThat(c.getCode()).isEqualTo(code);
                assertThat(c.getDisplay()).isEqualTo(display);
            });
        }
        assertThat(language.getText()).isEqualTo(text);
        assertThat(validator.validateWithResult(new String(result.canonicalJson(), StandardCharsets.UTF_8)).getMessages())
                .filteredOn(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
                .extracting(m -> m.getLocationString() + ": " + m.getMessage()).isEmpty();
    }
}
