package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ChargeItem;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Resource;
import io.caduceus.hl7.v2.Hl7Message;
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

    private static final String ADT = "MSH|^~\\&|ADT|FAC|HUB|FAC|20250114183212||ADT^A08|A-2|P|2.5.1";

    /** The coverage status of the first value at SEG-field.component ({@code component} 0 for a field alone). */
    private static MappingCoverage.Status status(String message, String segment, int field, int component)
            throws Exception {
        MappingCoverage report = Fixtures.mapper().coverage(
                Hl7Message.parse(message.getBytes(StandardCharsets.UTF_8)), MappingMode.LENIENT);
        return report.values().stream()
                .filter(v -> v.segmentId().equals(segment) && v.field() == field && v.component() == component)
                .findFirst().orElseThrow().status();
    }

    private static Extension sub(Extension parent, String url) {
        return parent.getExtension().stream().filter(e -> e.getUrl().equals(url)).findFirst().orElseThrow();
    }

    @Test
    void aNameOfCodingSystemThatSaysTheSystemWrittenIsCarriedAndAnUnknownOneIsNot() throws Exception {
        String pid = "PID|1||MRN-1^^^FAC^MR||Doe^Jane||19700101|F||2106-3^White^CDCREC|||||SRP^Serbian^ISO639"
                + "|M^Married^HL70002||||||2186-5^Not Hispanic^HL70189";
        Patient patient = all(map(ADT, pid), Patient.class).get(0);
        Extension race = patient.getExtensionByUrl("http://hl7.org/fhir/us/core/StructureDefinition/us-core-race");
        assertThat(((Coding) sub(race, "ombCategory").getValue()).getSystem()).isEqualTo("urn:oid:2.16.840.1.113883.6.238");
        assertThat(patient.getCommunicationFirstRep().getLanguage().getCodingFirstRep().getSystem())
                .isEqualTo("urn:ietf:bcp:47");
        assertThat(patient.getMaritalStatus().getText()).isEqualTo("Married");
        String message = ADT + "\r" + pid;
        assertThat(status(message, "PID", 10, 3)).isEqualTo(MappingCoverage.Status.MAPPED);
        assertThat(status(message, "PID", 15, 3)).isEqualTo(MappingCoverage.Status.MAPPED);
        assertThat(status(message, "PID", 22, 3)).isEqualTo(MappingCoverage.Status.MAPPED);

        String local = ADT + "\rPID|1||MRN-1^^^FAC^MR||Doe^Jane||19700101|F||2106-3^White^LOCALRACE|||||SRP^Serbian^99LNG";
        Patient other = all(Fixtures.mapper().map(local.getBytes(StandardCharsets.UTF_8)).bundle(), Patient.class).get(0);
        assertThat(((Coding) sub(other.getExtensionByUrl("http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"),
                "ombCategory").getValue()).getSystem()).as("an omb code is a CDC code whatever the name")
                .isEqualTo("urn:oid:2.16.840.1.113883.6.238");
        assertThat(status(local, "PID", 10, 3)).isEqualTo(MappingCoverage.Status.UNMAPPED);
        assertThat(status(local, "PID", 15, 3)).isEqualTo(MappingCoverage.Status.UNMAPPED);
    }

    @Test
    void anEthnicGroupOfTable0189ItselfIsItsOmbCategoryNotADetailedCdcCode() throws Exception {
        Patient patient = all(map(ADT, "PID|1||MRN-1^^^FAC^MR||Doe^Jane||19700101|F||||||||||||||N^Not Hispanic^HL70189"),
                Patient.class).get(0);
        Extension ethnicity = patient.getExtensionByUrl(
                "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity");
        Coding omb = (Coding) sub(ethnicity, "ombCategory").getValue();
        assertThat(omb.getSystem()).isEqualTo("urn:oid:2.16.840.1.113883.6.238");
        assertThat(omb.getCode()).isEqualTo("2186-5");
        assertThat(ethnicity.getExtensionsByUrl("detailed")).isEmpty();
    }

    @Test
    void thePracticesNumberBeforeV25IsItsIdentifier() throws Exception {
        Patient patient = all(map(ADT, PID, "PD1|||Northvale Family Practice^^NVFP"), Patient.class).get(0);
        assertThat(patient.getGeneralPractitionerFirstRep().getIdentifier().getValue()).isEqualTo("NVFP");
        assertThat(patient.getGeneralPractitionerFirstRep().getDisplay()).isEqualTo("Northvale Family Practice");
    }

    @Test
    void aDoseInUcumUnitsNamesTheUcumSystemFromRxa7() throws Exception {
        String message = "MSH|^~\\&|EHR|FAC|IIS|DOH|20240611140512||VXU^V04^VXU_V04|V-1|P|2.5.1\r" + PID
                + "\rORC|RE||IZ-1^FAC\rRXA|0|1|20240611133000|20240611133000|10^IPV^CVX|0.5|mL^mL^UCUM"
                + "\rRXR|C28161^Intramuscular^NCIT";
        Immunization immunization = all(Fixtures.mapper().map(message.getBytes(StandardCharsets.UTF_8)).bundle(),
                Immunization.class).get(0);
        assertThat(immunization.getDoseQuantity().getSystem()).isEqualTo("http://unitsofmeasure.org");
        assertThat(immunization.getRoute().getCodingFirstRep().getSystem())
                .isEqualTo("http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl");
        assertThat(status(message, "RXA", 7, 3)).isEqualTo(MappingCoverage.Status.MAPPED);
        assertThat(status(message, "RXR", 1, 3)).isEqualTo(MappingCoverage.Status.MAPPED);
    }

    @Test
    void theRolOfThePrimaryCareProviderIsAPractitionerRoleThePatientNamesAndOtherRolesAreNot() throws Exception {
        String message = "MSH|^~\\&|ADT|FAC|HUB|FAC|20250114183212||ADT^A03^ADT_A03|A-3|P|2.5.1\r" + PID
                + "\rROL|1|AD|PP^Primary Care Provider^HL70443|1881122334^OKAFOR^NNEKA^^^^^^NPI|20190101"
                + "\rROL|2|AD|XX^Local role^L|99^OTHER^ODA"
                + "\rPV1|1|I|W^1^A||||||||||||||||V-1";
        MappingResult result = Fixtures.mapper().map(message.getBytes(StandardCharsets.UTF_8));
        List<PractitionerRole> roles = all(result.bundle(), PractitionerRole.class);
        assertThat(roles).hasSize(1);
        PractitionerRole role = roles.get(0);
        assertThat(role.getCodeFirstRep().getCodingFirstRep().getSystem())
                .isEqualTo("http://terminology.hl7.org/CodeSystem/v2-0443");
        assertThat(role.getCodeFirstRep().getCodingFirstRep().getCode()).isEqualTo("PP");
        assertThat(role.getPractitioner().getIdentifier().getValue()).isEqualTo("1881122334");
        assertThat(role.getIdentifierFirstRep().getValue()).isEqualTo("1");
        assertThat(role.getPeriod().getStartElement().getValueAsString()).isEqualTo("2019-01-01");
        Patient patient = all(result.bundle(), Patient.class).get(0);
        assertThat(patient.getGeneralPractitioner()).extracting(r -> r.getReference())
                .contains("urn:uuid:" + role.getIdElement().getIdPart());
        assertThat(FhirValidation.errors(new String(result.canonicalJson(), StandardCharsets.UTF_8))).isEmpty();
        assertThat(status(message, "ROL", 2, 0)).as("the action code has no FHIR place")
                .isEqualTo(MappingCoverage.Status.UNMAPPED);
    }

    private static final String RDE = "MSH|^~\\&|PYXIS|FAC|PHARM|FAC|20250203091500-0500||RDE^O11^RDE_O11|R-1|P|2.5";

    @Test
    void anOrderWithAFormOrACompoundNamesAMedicationAndACodeAloneStaysACodeableConcept() throws Exception {
        MappingResult result = Fixtures.mapper().map(String.join("\r", RDE, PID,
                "ORC|NW|RX-1^PYXIS", "TQ1|1||Q8H^Every 8 hours^HL70335|0600~1400~2200",
                "RXE||313782^Acetaminophen 325 MG Oral Tablet^RXNORM|650||mg^milligram^UCUM|TAB^Tablet",
                "RXC|B|313782^Acetaminophen 325 MG Oral Tablet^RXNORM|2|TAB^Tablet",
                "ORC|NW|RX-2^PYXIS", "TQ1|1||Q6H^Every 6 hours^HL70335|||||||Nausea",
                "RXE||312086^Ondansetron 4 MG Oral Tablet^RXNORM|4||mg^milligram^UCUM",
                "ORC|NW|RX-3^PYXIS", "RXE||1000^Compound^L|1||mL^mL^UCUM",
                "RXC|B|5000^Base^L|100|mL^mL^UCUM", "RXC|A|6000^Additive^L|20|mg^mg^UCUM")
                .getBytes(StandardCharsets.UTF_8));
        List<MedicationRequest> requests = all(result.bundle(), MedicationRequest.class);
        List<Medication> medications = all(result.bundle(), Medication.class);
        assertThat(medications).hasSize(2);
        Medication tablet = medications.stream().filter(m -> m.getCode().getCodingFirstRep().getCode().equals("313782"))
                .findFirst().orElseThrow();
        assertThat(tablet.getForm().getCodingFirstRep().getCode()).isEqualTo("TAB");
        assertThat(tablet.getIngredient()).hasSize(1);
        assertThat(tablet.getIngredientFirstRep().getStrength().getNumerator().getValue()).isEqualByComparingTo("2");
        assertThat(tablet.getIngredientFirstRep().getStrength().getNumerator().getUnit()).isEqualTo("Tablet");
        assertThat(((Reference) requests.get(0).getMedication()).getReference())
                .isEqualTo("urn:uuid:" + tablet.getIdElement().getIdPart());
        assertThat(requests.get(0).getDosageInstructionFirstRep().getTiming().getRepeat().getTimeOfDay())
                .extracting(t -> t.getValue()).containsExactly("06:00:00", "14:00:00", "22:00:00");

        assertThat(requests.get(1).getMedication()).as("a code alone").isInstanceOf(CodeableConcept.class);
        assertThat(requests.get(1).getDosageInstructionFirstRep().getAdditionalInstruction())
                .extracting(CodeableConcept::getText).contains("Nausea");

        Medication compound = medications.stream().filter(m -> m.getCode().getCodingFirstRep().getCode().equals("1000"))
                .findFirst().orElseThrow();
        assertThat(compound.hasForm()).isFalse();
        assertThat(compound.getIngredient()).extracting(i -> i.getItemCodeableConcept().getCodingFirstRep().getCode())
                .containsExactly("5000", "6000");
        assertThat(compound.getIngredient().get(1).getStrength().getNumerator().getCode()).isEqualTo("mg");
        assertThat(((Reference) requests.get(2).getMedication()).getReference())
                .isEqualTo("urn:uuid:" + compound.getIdElement().getIdPart());
        assertThat(FhirValidation.errors(new String(result.canonicalJson(), StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void anExplicitTimeThatIsNoTimeOfDayIsLeftOutAndReported() throws Exception {
        MappingResult result = Fixtures.mapper().map(Hl7Message.parse(String.join("\r", RDE, PID, "ORC|NW|RX-1^PYXIS",
                "TQ1|1||Q8H^Every 8 hours^HL70335|2500~0630-0500",
                "RXE||312086^Ondansetron 4 MG Oral Tablet^RXNORM|4||mg^milligram^UCUM").getBytes(StandardCharsets.UTF_8)),
                MappingMode.LENIENT);
        MedicationRequest request = all(result.bundle(), MedicationRequest.class).get(0);
        assertThat(request.getDosageInstructionFirstRep().getTiming().getRepeat().getTimeOfDay())
                .extracting(t -> t.getValue()).containsExactly("06:30:00");
        assertThat(result.issues()).hasSize(1);
    }

    @Test
    void theVisitsDischargeDestinationExpectedDischargeAndAdmissionTypeTable() throws Exception {
        String message = "MSH|^~\\&|ADT|FAC|HUB|FAC|20250114183212||ADT^A03^ADT_A03|A-4|P|2.5.1\r" + PID
                + "\rPV1|1|I|W^1^A|E^Emergency^HL70007||||||||||||||||V-1|||||||||||||||||HOME"
                + "\rPV2|||||||||20250114";
        Encounter encounter = all(map(message.substring(0, message.indexOf('\r')),
                message.substring(message.indexOf('\r') + 1).split("\r")), Encounter.class).get(0);
        assertThat(encounter.getHospitalization().getDestination().getIdentifier().getValue()).isEqualTo("HOME");
        assertThat(encounter.getExtensionByUrl("urn:caduceus:fhir:extension:v2-expected-discharge").getValue()
                .primitiveValue()).isEqualTo("2025-01-14");
        assertThat(encounter.getTypeFirstRep().getCodingFirstRep().getSystem())
                .isEqualTo("http://terminology.hl7.org/CodeSystem/v2-0007");
        assertThat(status(message, "PV1", 4, 3)).isEqualTo(MappingCoverage.Status.MAPPED);

        String elective = message.replace("E^Emergency^HL70007", "EL^Elective^HL70007");
        Encounter other = all(Fixtures.mapper().map(elective.getBytes(StandardCharsets.UTF_8)).bundle(), Encounter.class)
                .get(0);
        assertThat(other.getTypeFirstRep().getCodingFirstRep().hasSystem()).as("EL is not in FHIR R4's v2-0007").isFalse();
        assertThat(status(elective, "PV1", 4, 3)).isEqualTo(MappingCoverage.Status.UNMAPPED);
    }

    @Test
    void aPriorVisitNumberIsAnOldIdentifierAndAPriorPatientIdEqualToPid3IsRepeated() throws Exception {
        String message = "MSH|^~\\&|ADT|FAC|HUB|FAC|20250114183212||ADT^A06^ADT_A06|A-5|P|2.5.1\r" + PID
                + "\rMRG|MRN-1^^^FAC^MR||||OV-1^^^FAC^VN\rPV1|1|I|W^1^A||||||||||||||||IV-2^^^FAC^VN"
                + "\rIN1|1|PLAN^Plan^L|P1|Payer||||||||||||Doe^Jane|SEL^Self^HL70063|19700101|||||||||||||||||||||||||F";
        Bundle bundle = Fixtures.mapper().map(message.getBytes(StandardCharsets.UTF_8)).bundle();
        Encounter encounter = all(bundle, Encounter.class).get(0);
        assertThat(encounter.getIdentifier()).filteredOn(i -> i.getUse() == org.hl7.fhir.r4.model.Identifier.IdentifierUse.OLD)
                .extracting(i -> i.getValue()).containsExactly("OV-1");
        Patient patient = all(bundle, Patient.class).get(0);
        assertThat(patient.getIdentifier()).extracting(i -> i.getValue()).containsExactly("MRN-1");
        assertThat(status(message, "MRG", 1, 1)).isEqualTo(MappingCoverage.Status.REPEATED);
        assertThat(status(message, "IN1", 43, 0)).as("the self-insured's sex is the patient's")
                .isEqualTo(MappingCoverage.Status.REPEATED);

        String moved = message.replace("MRG|MRN-1^^^FAC^MR", "MRG|OPD-9^^^OPD^MR");
        Patient withOld = all(Fixtures.mapper().map(moved.getBytes(StandardCharsets.UTF_8)).bundle(), Patient.class).get(0);
        assertThat(withOld.getIdentifier()).filteredOn(i -> i.getUse() == org.hl7.fhir.r4.model.Identifier.IdentifierUse.OLD)
                .extracting(i -> i.getValue()).containsExactly("OPD-9");
    }

    @Test
    void aChargeOverARangeOfTimeIsAPeriod() throws Exception {
        ChargeItem ranged = all(map(DFT, PID, "FT1|1|C-1||20240305150000^20240305153000||CG|71046^X-ray^CPT"),
                ChargeItem.class).get(0);
        assertThat(ranged.getOccurrencePeriod().getStartElement().getValueAsString()).startsWith("2024-03-05T15:00");
        assertThat(ranged.getOccurrencePeriod().getEndElement().getValueAsString()).startsWith("2024-03-05T15:30");
        ChargeItem once = all(map(DFT, PID, "FT1|1|C-1||20240305150000||CG|71046^X-ray^CPT"), ChargeItem.class).get(0);
        assertThat(once.getOccurrenceDateTimeType().getValueAsString()).startsWith("2024-03-05T15:00");
    }

    @Test
    void aProblemsStatusTextsStandBesideTheCodesTheyDoNotContradict() throws Exception {
        String ppr = "MSH|^~\\&|EHR|FAC|PM|FAC|20240402083000||PPR^PC1^PPR_PC1|P-1|P|2.5.1";
        Condition open = all(map(ppr, PID, "PRB|AD|20240402|J45^Asthma^I10|P-1|||||||||C^Confirmed^L|A^Active^L"),
                Condition.class).get(0);
        assertThat(open.getVerificationStatus().getText()).isEqualTo("Confirmed");
        assertThat(open.getClinicalStatus().getText()).isEqualTo("Active");
        Condition resolved = all(map(ppr, PID, "PRB|AD|20240402|J45^Asthma^I10|P-1|||||20240501|||||A^Active^L"),
                Condition.class).get(0);
        assertThat(resolved.getClinicalStatus().getCodingFirstRep().getCode()).isEqualTo("resolved");
        assertThat(resolved.getClinicalStatus().hasText()).as("PRB-9 resolved it: 'Active' would contradict").isFalse();
    }

    @Test
    void theStartOfAnRxeTimingEqualToTq1IsRepeatedAndADifferentOneIsNot() throws Exception {
        String same = String.join("\r", RDE, PID, "ORC|NW|RX-1^PYXIS", "TQ1|1||||||20250203140000-0500",
                "RXE|^^^20250203140000-0500^^R|312086^Ondansetron 4 MG Oral Tablet^RXNORM|4||mg^milligram^UCUM");
        assertThat(status(same, "RXE", 1, 4)).isEqualTo(MappingCoverage.Status.REPEATED);
        assertThat(status(same, "TQ1", 7, 0)).isEqualTo(MappingCoverage.Status.MAPPED);
        String other = same.replace("RXE|^^^20250203140000-0500", "RXE|^^^20250204140000-0500");
        assertThat(status(other, "RXE", 1, 4)).isEqualTo(MappingCoverage.Status.UNMAPPED);
    }

    @Test
    void aSameFactsPairMustNameFieldsOrComponents() {
        assertThat(CoverageTracker.sameFacts(List.of("RXE.1.4=TQ1.7"))).containsKeys("RXE.1.4", "TQ1.7");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CoverageTracker.sameFacts(List.of("RXE.1.4.1=TQ1.7")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void whereTheDoseWasGivenIsTheImmunizationsLocation() throws Exception {
        String message = "MSH|^~\\&|EHR|FAC|IIS|DOH|20240611140512||VXU^V04^VXU_V04|V-2|P|2.5.1\r" + PID
                + "\rORC|RE||IZ-1^FAC\rRXA|0|1|20240611133000|20240611133000|10^IPV^CVX|0.5|mL^mL^UCUM||||CLINIC^2^^PEDS";
        Immunization immunization = all(Fixtures.mapper().map(message.getBytes(StandardCharsets.UTF_8)).bundle(),
                Immunization.class).get(0);
        assertThat(immunization.getLocation().getDisplay()).isEqualTo("CLINIC 2 PEDS");
        assertThat(status(message, "RXA", 11, 4)).isEqualTo(MappingCoverage.Status.MAPPED);
    }
}
