package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.hl7.v2.Hl7Message;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.Test;

/** IG ORC[Provenance]: who entered an order (ORC-10) is a Provenance of that order, not a value left out. */
class OrderProvenanceTest {
    @Test
    void theEntererOfEachOrderIsAProvenanceOfThatOrder() throws Exception {
        Bundle bundle = Fixtures.mapper().map(Hl7Message.parse(Fixtures.message("ORM_O01"))).bundle();
        List<ServiceRequest> orders = bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(ServiceRequest.class::isInstance).map(ServiceRequest.class::cast).toList();
        List<Provenance> entries = bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(Provenance.class::isInstance).map(Provenance.class::cast)
                .filter(p -> p.getAgent().stream().anyMatch(a -> a.getType().getCodingFirstRep().getCode().equals("enterer")))
                .toList();
        // The first ORC of the fixture names N3344 in ORC-10; the second names nobody, so its order has none (an
        // order without its own enterer does not borrow the previous ORC's).
        assertThat(orders).hasSize(2);
        assertThat(entries).hasSize(1);
        Provenance p = entries.get(0);
        assertThat(p.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("N3344");
        assertThat(p.getTarget()).extracting(r -> r.getReference())
                .contains("urn:uuid:" + orders.get(0).getIdElement().getIdPart())
                .doesNotContain("urn:uuid:" + orders.get(1).getIdElement().getIdPart());
    }
}
