package io.caduceus.hl7.mapping;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;

/** HAPI's R4 instance validator, set up as {@link GoldenValidationTest} uses it; built once, it takes seconds. */
final class FhirValidation {
    private static FhirValidator validator;

    private FhirValidation() {
    }

    /** Error and fatal messages, as "location: message". */
    static synchronized List<String> errors(String json) {
        if (validator == null) {
            FhirContext ctx = FhirContext.forR4Cached();
            ValidationSupportChain chain = new ValidationSupportChain(
                    new DefaultProfileValidationSupport(ctx),
                    new InMemoryTerminologyServerValidationSupport(ctx),
                    new CommonCodeSystemsTerminologyService(ctx),
                    new SnapshotGeneratingValidationSupport(ctx));
            validator = ctx.newValidator();
            validator.registerValidatorModule(new FhirInstanceValidator(chain));
        }
        return validator.validateWithResult(json).getMessages().stream()
                .filter(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
                .map(m -> m.getLocationString() + ": " + m.getMessage())
                .toList();
    }
}
