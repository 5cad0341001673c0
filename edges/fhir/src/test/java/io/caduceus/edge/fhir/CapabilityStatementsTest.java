package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.junit.jupiter.api.Test;

class CapabilityStatementsTest {

    @Test
    void statesExactlyWhatIsServed() {
        CapabilityStatement cs = CapabilityStatements.build(List.of("Patient", "Observation"),
                Map.of("Patient", List.of("http://example.org/p")), TestTokens.ISSUER, false, "1.0");
        assertThat(cs.getFhirVersion().toCode()).isEqualTo("4.0.1");
        assertThat(cs.getFormat()).extracting(f -> f.getValue()).contains("application/fhir+json", "application/fhir+xml", "json", "xml");
        CapabilityStatement.CapabilityStatementRestComponent rest = cs.getRestFirstRep();
        assertThat(rest.getInteraction()).extracting(i -> i.getCode().toCode()).containsExactly("transaction", "batch");
        assertThat(rest.getResource()).extracting(r -> r.getType()).containsExactly("Patient", "Observation");
        assertThat(rest.getResource()).allSatisfy(r ->
                assertThat(r.getInteraction()).extracting(i -> i.getCode().toCode()).containsExactly("create", "update", "read"));
        assertThat(rest.getResource().get(0).getSupportedProfile()).extracting(p -> p.getValue()).containsExactly("http://example.org/p");
        assertThat(rest.getResource().get(1).getSupportedProfile()).isEmpty();
        assertThat(rest.getSecurity().getServiceFirstRep().getCodingFirstRep().getCode()).isEqualTo("SMART-on-FHIR");
        assertThat(rest.getSecurity().getDescription()).contains("<Type or *>.write", "<Type or *>.read", "cruds", TestTokens.ISSUER);
        assertThat(rest.getResource().get(0).getOperation()).extracting(o -> o.getDefinition())
                .containsExactly("http://hl7.org/fhir/OperationDefinition/Patient-everything");
        assertThat(rest.getResource().get(1).getOperation()).isEmpty();
        assertThat(rest.getSecurity().getService()).hasSize(1);
        assertThat(rest.getSecurity().getDescription()).doesNotContain("certificate");
    }

    @Test
    void mentionsMutualTlsWhenClientCertificatesAreAskedFor() {
        CapabilityStatement cs = CapabilityStatements.build(List.of("Patient"), Map.of(), TestTokens.ISSUER, true, "1.0");
        CapabilityStatement.CapabilityStatementRestSecurityComponent security = cs.getRestFirstRep().getSecurity();
        assertThat(security.getService()).extracting(s -> s.getCodingFirstRep().getCode())
                .containsExactly("SMART-on-FHIR", "Certificates");
        assertThat(security.getDescription()).contains("bearer access token", "client certificate", "mutual TLS", TestTokens.ISSUER);
    }
}
