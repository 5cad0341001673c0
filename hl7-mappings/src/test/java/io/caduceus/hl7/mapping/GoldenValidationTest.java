package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class GoldenValidationTest {

    @ParameterizedTest(name = "{0}")
    @FieldSource("io.caduceus.hl7.mapping.Fixtures#MESSAGES")
    void goldenBundleIsValidFhirR4(String name) {
        assertThat(FhirValidation.errors(new String(Fixtures.golden(name), StandardCharsets.UTF_8)))
                .as("validation errors in golden/%s.json", name).isEmpty();
    }
}
