package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.junit.jupiter.api.Test;

class OperationOutcomesTest {

    @Test
    void redactsQuotedValuesButKeepsCanonicalUrls() {
        String hapi = "The value provided ('robot') was not found in the value set 'AdministrativeGender' "
                + "(http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1), and the code is required from this value "
                + "set  (error message = Unknown code 'http://hl7.org/fhir/administrative-gender#robot' for \"Zzyzx\")";
        String redacted = OperationOutcomes.redact(hapi);
        assertThat(redacted).doesNotContain("robot").doesNotContain("Zzyzx")
                .contains("http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1").contains("('…')");
        assertThat(OperationOutcomes.redact("x".repeat(2000))).hasSizeLessThan(510);
        assertThat(OperationOutcomes.redact(null)).isEmpty();
    }

    @Test
    void issuesCarrySeverityCodeDiagnosticsAndExpression() {
        OperationOutcome outcome = OperationOutcomes.of(List.of(
                new FhirRejection.Issue(IssueSeverity.ERROR, IssueType.CODEINVALID, "bad code", "Patient.gender", "Terminology_TX_NoValid_2_CC"),
                FhirRejection.Issue.error(IssueType.STRUCTURE, "unreadable")));
        assertThat(outcome.getIssue()).hasSize(2);
        OperationOutcome.OperationOutcomeIssueComponent first = outcome.getIssueFirstRep();
        assertThat(first.getSeverity()).isEqualTo(IssueSeverity.ERROR);
        assertThat(first.getCode()).isEqualTo(IssueType.CODEINVALID);
        assertThat(first.getExpression().get(0).getValue()).isEqualTo("Patient.gender");
        assertThat(first.getLocation().get(0).getValue()).isEqualTo("Patient.gender");
        assertThat(first.getDetails().getCodingFirstRep().getCode()).isEqualTo("Terminology_TX_NoValid_2_CC");
        String json = FhirContext.forR4Cached().newJsonParser().encodeResourceToString(outcome);
        assertThat(json).contains("\"severity\":\"error\"", "\"code\":\"code-invalid\"", "\"diagnostics\":\"bad code\"");
    }
}
