package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.edge.fhir.SmartScopes.Interaction;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmartScopesTest {

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource({
            "system/*.write,            Patient, CREATE, true",
            "system/Patient.write,      Patient, UPDATE, true",
            "user/Patient.write,        Patient, CREATE, true",
            "user/*.write,              Observation, CREATE, true",
            "system/Patient.*,          Patient, CREATE, true",
            "system/Patient.cruds,      Patient, CREATE, true",
            "system/Patient.cruds,      Patient, UPDATE, true",
            "system/Patient.c,          Patient, CREATE, true",
            "system/Patient.c,          Patient, UPDATE, false",
            "user/Patient.u,            Patient, UPDATE, true",
            "system/Patient.rs,         Patient, CREATE, false",
            "system/Patient.read,       Patient, CREATE, false",
            "system/Observation.write,  Patient, CREATE, false",
            "patient/Patient.write,     Patient, CREATE, false",
            "patient/*.cruds,           Patient, CREATE, false",
            "system/Patient.uc,         Patient, CREATE, false",
            "system/Patient.c?category=x, Patient, CREATE, false",
            "openid,                    Patient, CREATE, false",
            "'',                        Patient, CREATE, false",
            "user/Patient.read,         Patient, READ, true",
            "system/*.read,             Observation, READ, true",
            "system/Patient.*,          Patient, READ, true",
            "system/Patient.rs,         Patient, READ, true",
            "system/Patient.cruds,      Patient, READ, true",
            "system/Patient.write,      Patient, READ, false",
            "system/Patient.cu,         Patient, READ, false",
            "user/Observation.read,     Patient, READ, false",
            "patient/Patient.read,      Patient, READ, false",
            "patient/*.rs,              Patient, READ, false",
    })
    void grantsOnlyMatchingSystemOrUserScopes(String scope, String type, Interaction interaction, boolean allowed) {
        assertThat(SmartScopes.allows(Set.of(scope), type, interaction)).isEqualTo(allowed);
    }

    @ParameterizedTest
    @CsvSource({"Patient, CREATE, system/Patient.c", "Observation, UPDATE, system/Observation.u", "Patient, READ, system/Patient.r"})
    void namesTheNarrowestGrantingScope(String type, Interaction interaction, String scope) {
        assertThat(SmartScopes.required(type, interaction)).isEqualTo(scope);
        assertThat(SmartScopes.allows(Set.of(scope), type, interaction)).isTrue();
    }
}
