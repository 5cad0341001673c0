package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hl7.fhir.r4.model.Account;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Specimen;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * What the order, insurance, transfer and problem maps promise beyond "matches the golden bundle": which v2 field
 * wins where two could speak, which resource a reference lands on, and that one insurer named twice is one entry.
 */
class OrderInsuranceMappingTest {
    private static final String MSH = "MSH|^~\\&|CPOE|FAC|LIS|LAB|20240402083000+0200||OML^O21^OML_O21|C-1|P|2.5.1";
    private static final String PID = "PID|1||MRN-1^^^FAC^MR||Doe^Jane||19700101|F";

    private static Bundle map(String... segments) throws Exception {
        return Fixtures.mapper().map(String.join("\r", segments).getBytes(StandardCharsets.UTF_8)).bundle();
    }

    private static Bundle fixture(String name) throws Exception {
        return Fixtures.mapper().map(Fixtures.message(name)).bundle();
    }

    private static <T extends Resource> List<T> all(Bundle bundle, Class<T> type) {
        return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance)
                .map(type::cast).toList();
    }

    private static String urlOf(Resource r) {
        return "urn:uuid:" + r.getIdElement().getIdPart();
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("io.caduceus.hl7.mapping.Fixtures#MESSAGES")
    void everyEntryOfABundleIsThereOnce(String name) throws Exception {
        List<String> urls = fixture(name).getEntry().stream().map(Bundle.BundleEntryComponent::getFullUrl).toList();
        assertThat(urls).doesNotHaveDuplicates();
    }

    @Test
    void oneInsurerOnTwoPlansIsOneOrganizationThatBothCoveragesName() throws Exception {
        Bundle bar = fixture("BAR_P01");
        assertThat(all(bar, Organization.class)).hasSize(1);
        Organization payer = all(bar, Organization.class).get(0);
        List<Coverage> coverages = all(bar, Coverage.class);
        assertThat(coverages).hasSize(2).allSatisfy(c ->
                assertThat(c.getPayorFirstRep().getReference()).isEqualTo(urlOf(payer)));
        assertThat(all(bar, Account.class)).hasSize(1);
        Account account = all(bar, Account.class).get(0);
        assertThat(account.getCoverage()).extracting(c -> c.getCoverage().getReference())
                .containsExactlyElementsOf(coverages.stream().map(OrderInsuranceMappingTest::urlOf).toList());
    }

    @Test
    void theInsuredsRelationToThePatientIsTurnedIntoThePatientsRelationToTheSubscriber() throws Exception {
        Bundle bar = fixture("BAR_P01");
        Coverage coverage = all(bar, Coverage.class).get(0);
        assertThat(coverage.getRelationship().getCodingFirstRep().getCode())
                .as("IN1-17 FTH: the insured is the father, so the patient is the subscriber's child").isEqualTo("child");
        RelatedPerson subscriber = all(bar, RelatedPerson.class).stream()
                .filter(p -> urlOf(p).equals(coverage.getSubscriber().getReference())).findFirst().orElseThrow();
        assertThat(subscriber.getNameFirstRep().getGivenAsSingleString()).isEqualTo("Thomas");

        Coverage selfInsured = all(fixture("ADT_A01"), Coverage.class).get(0);
        Patient patient = all(fixture("ADT_A01"), Patient.class).get(0);
        assertThat(selfInsured.getSubscriber().getReference()).isEqualTo(urlOf(patient));
        assertThat(selfInsured.getRelationship().getCodingFirstRep().getCode()).isEqualTo("self");
    }

    @Test
    void theOrderStatusWinsOverTheControlCodeAndTheOrcProviderOverTheObrOne() throws Exception {
        Bundle bundle = map(MSH, PID,
                "ORC|NW|P-1^CPOE|F-1^LIS||CA||||20240402082800+0200|||D1^Orc^Olga",
                "OBR|1|P-1^CPOE||24323-8^Panel^LN||||||||||||D2^Obr^Otto",
                "ORC|NW|P-2^CPOE|||||||20240402082800+0200",
                "OBR|2|P-2^CPOE||24356-8^Urinalysis^LN||||||||||||D2^Obr^Otto");
        List<ServiceRequest> orders = all(bundle, ServiceRequest.class);
        assertThat(orders).hasSize(2);
        assertThat(orders.get(0).getStatus()).as("ORC-5 CA").isEqualTo(ServiceRequest.ServiceRequestStatus.REVOKED);
        assertThat(orders.get(0).getRequester().getDisplay()).isEqualTo("Olga Orc");
        assertThat(orders.get(0).getIdentifier()).extracting(Identifier::getValue).containsExactly("P-1", "F-1");
        assertThat(orders.get(1).getStatus()).as("ORC-1 NW").isEqualTo(ServiceRequest.ServiceRequestStatus.ACTIVE);
        assertThat(orders.get(1).getRequester().getDisplay()).as("no ORC-12: OBR-16").isEqualTo("Otto Obr");
    }

    @Test
    void eachSpecimenBelongsToTheOrderItFollows() throws Exception {
        Bundle oml = fixture("OML_O21");
        List<ServiceRequest> orders = all(oml, ServiceRequest.class);
        List<Specimen> specimens = all(oml, Specimen.class);
        assertThat(specimens).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(specimens.get(i).getRequestFirstRep().getReference()).isEqualTo(urlOf(orders.get(i)));
            assertThat(orders.get(i).getSpecimen()).extracting(r -> r.getReference())
                    .containsExactly(urlOf(specimens.get(i)));
        }
    }

    @Test
    void aTransferKeepsTheLocationLeftAsCompletedAndACancelledTransferDoesNot() throws Exception {
        Encounter transfer = all(fixture("ADT_A02"), Encounter.class).get(0);
        assertThat(transfer.getLocation()).extracting(l -> l.getLocation().getDisplay() + "=" + l.getStatus().toCode())
                .containsExactly("ICU I04 B2 CADUCEUS_GH=active", "STA1 R101 B1 CADUCEUS_GH=completed");
        Encounter cancelled = all(fixture("ADT_A12"), Encounter.class).get(0);
        assertThat(cancelled.getLocation()).extracting(l -> l.getLocation().getDisplay())
                .containsExactly("STA1 R101 B1 CADUCEUS_GH");
    }

    @Test
    void aProblemWithAResolutionDateIsResolvedEvenWhenItsStatusFieldIsEmpty() throws Exception {
        List<Condition> problems = all(fixture("PPR_PC1"), Condition.class);
        assertThat(problems).extracting(c -> c.getClinicalStatus().getCodingFirstRep().getCode())
                .containsExactly("active", "resolved");
        assertThat(problems.get(1).hasAbatementDateTimeType()).isTrue();
    }

    @Test
    void eachDiagnosisOfTheVisitKeepsItsOwnTypeAndCondition() throws Exception {
        Bundle bundle = map(MSH.replace("OML^O21^OML_O21", "ADT^A01^ADT_A01"), PID, "PV1|1|I|W1^101^A||||||||||||||||V-1^^^FAC^VN",
                "DG1|1||R07.4^Chest pain^I10||20240402080000+0200|W^Working",
                "DG1|2||I20.0^Unstable angina^I10||20240402081000+0200|A^Admitting");
        Encounter visit = all(bundle, Encounter.class).get(0);
        List<Condition> conditions = all(bundle, Condition.class);
        assertThat(visit.getDiagnosis()).extracting(d -> d.getCondition().getReference())
                .containsExactly(urlOf(conditions.get(0)), urlOf(conditions.get(1)));
        assertThat(visit.getDiagnosis()).extracting(d -> d.getUse().getText()).containsExactly("Working", "Admitting");
        assertThat(visit.getDiagnosis().get(1).getUse().getCodingFirstRep().getCode()).isEqualTo("AD");
        assertThat(visit.getDiagnosis().get(0).getUse().hasCoding()).isFalse();
    }

    @Test
    void aResultIsBasedOnTheOrderItsObrAndOrcDescribe() throws Exception {
        Bundle oru = fixture("ORU_R01");
        List<ServiceRequest> orders = all(oru, ServiceRequest.class);
        List<org.hl7.fhir.r4.model.DiagnosticReport> reports = all(oru, org.hl7.fhir.r4.model.DiagnosticReport.class);
        assertThat(reports).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(reports.get(i).getBasedOnFirstRep().getReference()).isEqualTo(urlOf(orders.get(i)));
            assertThat(orders.get(i).getSupportingInfo()).as("results are not order details").isEmpty();
        }
    }

    @Test
    void anAdministrationWithoutAmountHasNoDosageForFhirToRefuse() throws Exception {
        Bundle bundle = map(MSH.replace("OML^O21^OML_O21", "RAS^O17^RAS_O17"), PID, "ORC|RE|RX-1^CPOE",
                "RXA|0|1|20240306160500+0100||308191^Amoxicillin 500 MG Oral Capsule^RXNORM|||||||||||||||CP",
                "RXR|PO^Oral^HL70162",
                "RXA|0|2|20240306200500+0100||308191^Amoxicillin 500 MG Oral Capsule^RXNORM|500|mg^mg^UCUM||||||||||||CP",
                "RXR|PO^Oral^HL70162");
        List<org.hl7.fhir.r4.model.MedicationAdministration> given =
                all(bundle, org.hl7.fhir.r4.model.MedicationAdministration.class);
        assertThat(given).hasSize(2);
        assertThat(given.get(0).hasDosage()).as("mad-1: a dosage needs a dose or a rate").isFalse();
        assertThat(given.get(1).getDosage().getRoute().getCodingFirstRep().getCode()).isEqualTo("PO");
        assertThat(given.get(1).getDosage().getDose().getValue()).isEqualByComparingTo("500");
    }
}
