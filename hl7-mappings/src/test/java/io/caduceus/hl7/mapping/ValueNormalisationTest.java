package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.hl7.v2.Hl7Message;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ChargeItem;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Values FHIR is stricter about than v2, as the slips of {@link FeedSlips} found them: each ends valid or as AE. */
class ValueNormalisationTest {

    private static byte[] mutant(String fixture, String from, String to) {
        String text = new String(Fixtures.message(fixture), StandardCharsets.UTF_8);
        assertThat(text).contains(from);
        return text.replaceFirst(Pattern.quote(from), Matcher.quoteReplacement(to)).getBytes(StandardCharsets.UTF_8);
    }

    private static MappingResult map(byte[] message, MappingMode mode) throws Exception {
        return Fixtures.mapper().map(Hl7Message.parse(message), mode);
    }

    private static <T extends Resource> List<T> entries(Bundle bundle, Class<T> type) {
        return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance)
                .map(type::cast).toList();
    }

    private static void valid(MappingResult result) {
        assertThat(FhirValidation.errors(new String(result.canonicalJson(), StandardCharsets.UTF_8))).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"MG/DL, mg/dl", "MMOL/L, mmol/l", "mcg, ug", "cc, mL", "IU, [iU]", "units, [iU]", "mL, mL",
        "10*3/uL, 10*3/uL", "'  mg ', mg"})
    void unitsBecomeUcumCodes(String sent, String ucum) {
        assertThat(UcumUnits.normalise(sent)).isEqualTo(ucum);
        assertThat(UcumUnits.normalise(sent)).as("answered again, from what was remembered").isEqualTo(ucum);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({"/hpf", "tablets", "mmol/litre", "''"})
    void whatIsNotUcumIsNoCode(String sent) {
        assertThat(UcumUnits.normalise(sent)).isNull();
        assertThat(UcumUnits.normalise(sent)).as("answered again, from what was remembered").isNull();
    }

    @Test
    void aUnitThatIsNotUcumStaysAsTextWithoutCode() throws Exception {
        MappingResult result = map(mutant("ORU_R01", "|141|mmol/L^millimole per liter^UCUM|", "|141|/hpf^^UCUM|"),
                MappingMode.LENIENT);
        Observation sodium = entries(result.bundle(), Observation.class).get(0);
        assertThat(sodium.getValueQuantity().getUnit()).isEqualTo("/hpf");
        assertThat(sodium.getValueQuantity().hasCode()).isFalse();
        valid(result);
    }

    @Test
    void aCaseInsensitiveUcumUnitBecomesTheCaseSensitiveCode() throws Exception {
        MappingResult result = map(mutant("VXU_V04", "|0.5|mL^milliliters^UCUM|", "|0.5|ML^milliliters^UCUM|"),
                MappingMode.STRICT);
        Immunization immunization = entries(result.bundle(), Immunization.class).get(0);
        assertThat(immunization.getDoseQuantity().getCode()).isEqualTo("ml");
        assertThat(immunization.getDoseQuantity().getSystem()).isEqualTo("http://unitsofmeasure.org");
        valid(result);
    }

    @Test
    void aCodeOutsideAnHl7TableKeepsItsCodeButNotTheTablesSystem() throws Exception {
        MappingResult result = map(mutant("ADT_A01", "SPO^Spouse^HL70063", "spouse^Spouse^HL70063"), MappingMode.LENIENT);
        RelatedPerson spouse = entries(result.bundle(), RelatedPerson.class).get(0);
        assertThat(spouse.getRelationshipFirstRep().getCodingFirstRep().getCode()).isEqualTo("spouse");
        assertThat(spouse.getRelationshipFirstRep().getCodingFirstRep().hasSystem()).isFalse();
        valid(result);

        MappingResult known = map(Fixtures.message("ADT_A01"), MappingMode.LENIENT);
        assertThat(entries(known.bundle(), RelatedPerson.class).get(0).getRelationshipFirstRep().getCodingFirstRep()
                .getSystem()).isEqualTo("http://terminology.hl7.org/CodeSystem/v2-0063");
    }

    @Test
    void currencyIsReadInAnyCaseAndAnUnknownOneIsLeftOut() throws Exception {
        MappingResult lower = map(mutant("DFT_P03", "|45.50&EUR|", "|45.50&eur|"), MappingMode.LENIENT);
        assertThat(entries(lower.bundle(), ChargeItem.class).get(0).getPriceOverride().getCurrency()).isEqualTo("EUR");
        valid(lower);

        MappingResult unknown = map(mutant("DFT_P03", "|45.50&EUR|", "|45.50&E|"), MappingMode.LENIENT);
        assertThat(unknown.issues()).singleElement().satisfies(i -> {
            assertThat(i.location()).isEqualTo("FT1-11.1.2");
            assertThat(i.hl7ErrorCode()).isEqualTo(MappingIssue.TABLE_VALUE_NOT_FOUND);
        });
        ChargeItem charge = entries(unknown.bundle(), ChargeItem.class).get(0);
        assertThat(charge.getPriceOverride().hasCurrency()).isFalse();
        assertThat(charge.getPriceOverride().getValue()).isEqualByComparingTo("45.50");
        valid(unknown);
    }

    @Test
    void sexSpelledOutIsRead() throws Exception {
        MappingResult result = map(mutant("ADT_A01", "||19640812|F|", "||19640812|Female|"), MappingMode.LENIENT);
        assertThat(entries(result.bundle(), Patient.class).get(0).getGender().toCode()).isEqualTo("female");
        assertThat(result.issues()).isEmpty();
    }

    @Test
    void aPeriodThatEndsBeforeItStartsLosesItsEnd() throws Exception {
        byte[] message = mutant("ADT_A03", "|20240305141500+0100|20240309100000+0100", "|20240305141500+0100|20240301100000+0100");
        assertThatThrownBy(() -> map(message, MappingMode.STRICT)).isInstanceOf(MappingException.class);
        MappingResult result = map(message, MappingMode.LENIENT);
        assertThat(result.issues()).singleElement().satisfies(i -> {
            assertThat(i.element()).isEqualTo("Encounter.period.end");
            assertThat(i.location()).isEqualTo("PV1-45");
        });
        Encounter encounter = entries(result.bundle(), Encounter.class).get(0);
        assertThat(encounter.getPeriod().hasStart()).isTrue();
        assertThat(encounter.getPeriod().hasEnd()).isFalse();
        valid(result);
    }

    @Test
    void aRangeWhoseLowIsAboveItsHighLosesItsHigh() throws Exception {
        byte[] message = mutant("RDE_O11", "|500|1000|mg^milligram^UCUM|", "|1000|500|mg^milligram^UCUM|");
        assertThatThrownBy(() -> map(message, MappingMode.STRICT)).isInstanceOf(MappingException.class);
        MappingResult result = map(message, MappingMode.LENIENT);
        assertThat(result.issues()).singleElement().satisfies(i -> {
            assertThat(i.element()).isEqualTo("MedicationRequest.dosageInstruction.doseAndRate.doseRange.high.value");
            assertThat(i.location()).isEqualTo("RXE[2]-4");
        });
        MedicationRequest request = entries(result.bundle(), MedicationRequest.class).get(1);
        assertThat(request.getDosageInstructionFirstRep().getDoseAndRateFirstRep().getDoseRange().getLow().getValue())
                .isEqualByComparingTo("1000");
        valid(result);
    }

    @Test
    void anExtensionWhoseValueIsLeftOutGoesWithIt() throws Exception {
        // PD1-13, the date the protection indicator took effect, unusable: the "effective" part would be a url alone.
        MappingResult result = map(mutant("VXU_V04", "|N|20240310|||A|", "|N|20241310|||A|"), MappingMode.LENIENT);
        assertThat(result.issues()).singleElement().satisfies(i -> assertThat(i.location()).isEqualTo("PD1-13"));
        Patient patient = entries(result.bundle(), Patient.class).get(0);
        org.hl7.fhir.r4.model.Extension protection =
                patient.getExtensionByUrl("urn:caduceus:fhir:extension:v2-protection-indicator");
        assertThat(protection.getExtension()).extracting(org.hl7.fhir.r4.model.Extension::getUrl).containsExactly("protected");
        valid(result);
    }

    @Test
    void anEmptyFieldFhirRequiresIsTheRequiredFieldErrorInBothModes() {
        // OBX-3 one field late: the observation has no code, which FHIR requires.
        byte[] message = mutant("ORU_R01", "OBX|1|NM|2951-2^", "OBX|1|NM||2951-2^");
        for (MappingMode mode : MappingMode.values()) {
            assertThatThrownBy(() -> map(message, mode)).as(mode.name())
                    .isInstanceOfSatisfying(MappingException.class, e -> {
                        assertThat(e.segmentId()).isEqualTo("OBX");
                        assertThat(e.fieldPosition()).isEqualTo(3);
                        assertThat(e.hl7ErrorCode()).isEqualTo(MappingIssue.REQUIRED_FIELD_MISSING);
                        assertThat(e.getMessage()).contains("Observation.code").doesNotContain("2951-2");
                    });
        }
    }
}
