package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ChargeItem;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

/**
 * What the billing, diagnosis, patient and pharmacy maps carry beyond "matches the golden bundle": the v2 field each
 * FHIR element takes, and what a sender's habit (a currency in the price type) becomes.
 */
class BillingAndPatientMappingTest {
    private static final String PID = "PID|1||MRN-1^^^FAC^MR||Doe^Jane||19700101|F";

    private static Bundle map(String msh, String... segments) throws Exception {
        String message = msh + "\r" + String.join("\r", segments);
        return Fixtures.mapper().map(message.getBytes(StandardCharsets.UTF_8)).bundle();
    }

    private static <T extends Resource> List<T> all(Bundle bundle, Class<T> type) {
        return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance)
                .map(type::cast).toList();
    }

    private static final String DFT = "MSH|^~\\&|PBS|FAC|GL|FAC|20240808230000||DFT^P03|D-1|P|2.3";

    @Test
    void theDiagnosisTypeOfAChargesDiagnosisIsACategoryOfItsCondition() throws Exception {
        Bundle bundle = map(DFT, PID, "PV1|1|O|RAD^^^FAC||||||||||||||||V-1",
                "FT1|1|C-1||20240808101500|20240808230000|CG|71046^X-ray^CPT||1|1|128.00^USD",
                "DG1|1|I10|R05.9^Cough^I10|Cough, unspecified|20240808|W^Working diagnosis^HL70052");
        Condition condition = all(bundle, Condition.class).get(0);
        CodeableConcept type = condition.getCategory().get(1);
        assertThat(type.getCodingFirstRep().getSystem()).isEqualTo("http://terminology.hl7.org/CodeSystem/v2-0052");
        assertThat(type.getCodingFirstRep().getCode()).isEqualTo("W");
        assertThat(type.getText()).isEqualTo("Working diagnosis");
        assertThat(condition.getCategoryFirstRep().getCodingFirstRep().getCode()).isEqualTo("encounter-diagnosis");
        assertThat(condition.getCode().getText()).as("DG1-4 is the code's text").isEqualTo("Cough, unspecified");
        assertThat(condition.getCode().getCodingFirstRep().getDisplay()).isEqualTo("Cough");
    }

    @Test
    void aDiagnosisTypeOutsideTable0052IsTextOnly() throws Exception {
        Bundle bundle = map(DFT, PID, "FT1|1|C-1||20240808101500||CG|71046^X-ray^CPT",
                "DG1|1|I10|R05.9^Cough^I10||20240808|Q^Queried");
        CodeableConcept type = all(bundle, Condition.class).get(0).getCategory().get(1);
        assertThat(type.hasCoding()).isFalse();
        assertThat(type.getText()).isEqualTo("Queried");
    }

    @Test
    void theDiagnosisPriorityIsTheRankOfTheVisitsDiagnosis() throws Exception {
        Bundle bundle = map("MSH|^~\\&|ADT|FAC|HUB|FAC|20250114183212||ADT^A03|A-1|P|2.5.1", PID,
                "PV1|1|I|W^1^A||||||||||||||||V-1", "DG1|1||J18.9^Pneumonia^I10||20250111|A|||||||||2",
                "DG1|2||I50.32^Heart failure^I10||20250111|W|||||||||1");
        Encounter encounter = all(bundle, Encounter.class).get(0);
        assertThat(encounter.getDiagnosis()).extracting(Encounter.DiagnosisComponent::getRank).containsExactly(2, 1);
    }

    @Test
    void aCurrencyWrittenAsThePriceTypeIsThePricesCurrencyAndARealPriceTypeIsNot() throws Exception {
        ChargeItem usd = all(map(DFT, PID, "FT1|1|C-1||20240808101500||CG|71046^X-ray^CPT|||1|128.00^USD||RAD^Radiology"),
                ChargeItem.class).get(0);
        assertThat(usd.getPriceOverride().getValue()).isEqualByComparingTo("128.00");
        assertThat(usd.getPriceOverride().getCurrency()).isEqualTo("USD");
        assertThat(usd.getCostCenter().getIdentifier().getValue()).isEqualTo("RAD");
        assertThat(usd.getCostCenter().getDisplay()).isEqualTo("Radiology");

        MappingResult unitPrice = Fixtures.mapper().map((DFT + "\r" + PID
                + "\rFT1|1|C-1||20240808101500||CG|71046^X-ray^CPT|||1|128.00^UP").getBytes(StandardCharsets.UTF_8));
        ChargeItem up = all(unitPrice.bundle(), ChargeItem.class).get(0);
        assertThat(up.getPriceOverride().hasCurrency()).as("UP is a price type (table 0205), not a currency").isFalse();
        assertThat(unitPrice.issues()).isEmpty();

        ChargeItem both = all(map(DFT, PID, "FT1|1|C-1||20240808101500||CG|71046^X-ray^CPT|||1|128.00&EUR^USD"),
                ChargeItem.class).get(0);
        assertThat(both.getPriceOverride().getCurrency()).as("the MO's own denomination wins").isEqualTo("EUR");
    }
}
