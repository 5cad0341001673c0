package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class GoldenValidationTest {
    private static FhirValidator validator;

    @BeforeAll
    static void createValidator() {
        FhirContext ctx = FhirContext.forR4Cached();
        ValidationSupportChain chain = new ValidationSupportChain(
                new DefaultProfileValidationSupport(ctx),
                new InMemoryTerminologyServerValidationSupport(ctx),
                new CommonCodeSystemsTerminologyService(ctx),
                new SnapshotGeneratingValidationSupport(ctx));
        validator = ctx.newValidator();
        validator.registerValidatorModule(new FhirInstanceValidator(chain));
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("io.caduceus.hl7.mapping.Fixtures#MESSAGES")
    void goldenBundleIsValidFhirR4(String name) {
        ValidationResult result = validator.validateWithResult(
                new String(Fixtures.golden(name), StandardCharsets.UTF_8));
        List<String> errors = result.getMessages().stream()
                .filter(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
                .map(GoldenValidationTest::describe)
                .toList();
        assertThat(errors).as("validation errors in golden/%s.json", name).isEmpty();
    }

    private static String describe(SingleValidationMessage m) {
        return m.getLocationString() + ": " + m.getMessage();
    }
}
