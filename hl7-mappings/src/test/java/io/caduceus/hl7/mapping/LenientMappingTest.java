package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.hl7.v2.Hl7Message;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

class LenientMappingTest {
    /** The lot number one field late: RXA-16 (expiration date, DT) holds it, everything after shifts by one. */
    static final String SHIFTED_LOT = "HB7734K";

    static byte[] shiftedRxaVxu() {
        String vxu = new String(Fixtures.message("VXU_V04"), StandardCharsets.UTF_8);
        String shifted = vxu.replace("|||||LOT4711A|", "||||||" + SHIFTED_LOT + "|");
        assertThat(shifted).isNotEqualTo(vxu);
        return shifted.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] mutant(String fixture, String from, String to) {
        String text = new String(Fixtures.message(fixture), StandardCharsets.UTF_8);
        assertThat(text).contains(from);
        return text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static MappingResult lenient(byte[] message) throws Exception {
        return Fixtures.mapper().map(Hl7Message.parse(message), MappingMode.LENIENT);
    }

    private static MappingResult strict(byte[] message) throws Exception {
        return Fixtures.mapper().map(Hl7Message.parse(message), MappingMode.STRICT);
    }

    private static <T extends Resource> List<T> entries(Bundle bundle, Class<T> type) {
        return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance)
                .map(type::cast).toList();
    }

    @Test
    void shiftedLotNumberFailsTheMessageInStrictMode() {
        assertThatThrownBy(() -> strict(shiftedRxaVxu()))
                .isInstanceOfSatisfying(MappingException.class, e -> {
                    assertThat(e.segmentId()).isEqualTo("RXA");
                    assertThat(e.fieldPosition()).isEqualTo(16);
                    assertThat(e.hl7ErrorCode()).isEqualTo(102);
                    assertThat(e.getMessage()).doesNotContain(SHIFTED_LOT);
                });
    }

    @Test
    void shiftedLotNumberIsLeftOutInLenientModeAndTheRestIsMapped() throws Exception {
        MappingResult result = lenient(shiftedRxaVxu());

        assertThat(result.issues()).singleElement().satisfies(issue -> {
            assertThat(issue.location()).isEqualTo("RXA-16");
            assertThat(issue.segmentRepetition()).isEqualTo(1);
            assertThat(issue.fieldRepetition()).isEqualTo(1);
            assertThat(issue.component()).isZero();
            assertThat(issue.hl7ErrorCode()).isEqualTo(MappingIssue.DATA_TYPE_ERROR);
            assertThat(issue.element()).isEqualTo("Immunization.expirationDate");
            assertThat(issue.reason()).doesNotContain(SHIFTED_LOT);
        });
        Bundle bundle = result.bundle();
        Immunization immunization = entries(bundle, Immunization.class).get(0);
        assertThat(immunization.hasExpirationDate()).isFalse();
        assertThat(immunization.getVaccineCode().getCodingFirstRep().getCode()).isEqualTo("08");
        assertThat(immunization.getOccurrenceDateTimeType().getValueAsString()).startsWith("2024-03-10");
        assertThat(entries(bundle, Patient.class)).hasSize(1);

        OperationOutcome dropped = entries(bundle, OperationOutcome.class).get(0);
        assertThat(bundle.getEntry().get(bundle.getEntry().size() - 2).getResource()).isSameAs(dropped);
        assertThat(bundle.getEntry().get(bundle.getEntry().size() - 1).getResource()).isInstanceOf(Provenance.class);
        OperationOutcome.OperationOutcomeIssueComponent issue = dropped.getIssueFirstRep();
        assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.WARNING);
        assertThat(issue.getCode()).isEqualTo(OperationOutcome.IssueType.VALUE);
        assertThat(issue.getDetails().getCodingFirstRep().getSystem()).isEqualTo("http://terminology.hl7.org/CodeSystem/v2-0357");
        assertThat(issue.getDetails().getCodingFirstRep().getCode()).isEqualTo("102");
        assertThat(issue.getDetails().getText()).isEqualTo("RXA-16");
        assertThat(issue.getExpression()).extracting(Object::toString).containsExactly("Immunization.expirationDate");

        String json = new String(result.canonicalJson(), StandardCharsets.UTF_8);
        assertThat(json).doesNotContain(SHIFTED_LOT);
        assertThat(FhirValidation.errors(json)).isEmpty();
    }

    @Test
    void aMessageWithoutProblemsMapsTheSameInBothModes() throws Exception {
        for (String name : Fixtures.MESSAGES) {
            MappingResult lenient = lenient(Fixtures.message(name));
            assertThat(lenient.issues()).as(name).isEmpty();
            assertThat(lenient.canonicalJson()).as(name).isEqualTo(strict(Fixtures.message(name)).canonicalJson());
        }
    }

    @Test
    void badDateInAnOptionalFieldIsLeftOut() throws Exception {
        byte[] message = mutant("ADT_A01", "||19640812|", "||19641332|");
        assertThatThrownBy(() -> strict(message)).isInstanceOf(MappingException.class);
        MappingResult result = lenient(message);
        assertThat(result.issues()).extracting(MappingIssue::location, MappingIssue::element)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("PID-7", "Patient.birthDate"));
        assertThat(entries(result.bundle(), Patient.class).get(0).hasBirthDate()).isFalse();
        assertThat(FhirValidation.errors(new String(result.canonicalJson(), StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void badNumberIsLeftOutWithTheRestOfItsObservation() throws Exception {
        byte[] message = mutant("ORU_R01", "||141|", "||14,1|");
        assertThatThrownBy(() -> strict(message))
                .isInstanceOfSatisfying(MappingException.class, e -> assertThat(e.fieldPosition()).isEqualTo(5));
        MappingResult result = lenient(message);
        assertThat(result.issues()).singleElement().satisfies(issue -> {
            assertThat(issue.location()).isEqualTo("OBX-5");
            assertThat(issue.element()).isEqualTo("Observation.valueQuantity.value");
        });
        Observation sodium = entries(result.bundle(), Observation.class).stream()
                .filter(o -> "2951-2".equals(o.getCode().getCodingFirstRep().getCode())).findFirst().orElseThrow();
        assertThat(sodium.hasValueQuantity() && sodium.getValueQuantity().hasValue()).isFalse();
        assertThat(sodium.getInterpretationFirstRep().getCodingFirstRep().getCode()).isEqualTo("N");
        assertThat(FhirValidation.errors(new String(result.canonicalJson(), StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void unknownCodeIsAWarningInLenientModeAndSilentInStrictMode() throws Exception {
        byte[] message = mutant("ADT_A01", "||19640812|F|", "||19640812|Q7|");
        MappingResult strict = strict(message);
        assertThat(strict.issues()).isEmpty();
        MappingResult lenient = lenient(message);
        assertThat(lenient.issues()).singleElement().satisfies(issue -> {
            assertThat(issue.location()).isEqualTo("PID-8");
            assertThat(issue.hl7ErrorCode()).isEqualTo(MappingIssue.TABLE_VALUE_NOT_FOUND);
            assertThat(issue.element()).isEqualTo("Patient.gender");
        });
        assertThat(entries(lenient.bundle(), Patient.class).get(0).hasGender()).isFalse();
        assertThat(entries(lenient.bundle(), OperationOutcome.class).get(0).getIssueFirstRep().getCode())
                .isEqualTo(OperationOutcome.IssueType.CODEINVALID);
        assertThat(FhirValidation.errors(new String(lenient.canonicalJson(), StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void unusableValueInARequiredElementFailsTheMessageEvenInLenientMode() {
        // Immunization.occurrence[x] is 1..1: an Immunization without it would not be valid FHIR.
        byte[] badOccurrence = mutant("VXU_V04", "|20240310101500-0500||08^", "|2024031X101500-0500||08^");
        assertThatThrownBy(() -> lenient(badOccurrence))
                .isInstanceOfSatisfying(MappingException.class, e -> {
                    assertThat(e.segmentId()).isEqualTo("RXA");
                    assertThat(e.fieldPosition()).isEqualTo(3);
                    assertThat(e.hl7ErrorCode()).isEqualTo(102);
                });
    }

    @Test
    void missingPatientIdentifierFailsTheMessageInBothModes() {
        byte[] noPid3 = mutant("VXU_V04", "PID|1||PED778899^^^CADUCEUS_PED^MR||", "PID|1||||");
        for (MappingMode mode : MappingMode.values()) {
            assertThatThrownBy(() -> Fixtures.mapper().map(Hl7Message.parse(noPid3), mode))
                    .as(mode.name())
                    .isInstanceOfSatisfying(MappingException.class, e -> {
                        assertThat(e.segmentId()).isEqualTo("PID");
                        assertThat(e.fieldPosition()).isEqualTo(3);
                        assertThat(e.hl7ErrorCode()).isEqualTo(MappingIssue.REQUIRED_FIELD_MISSING);
                    });
        }
    }

    @Test
    void missingMessageTimeFailsTheMessageEvenInLenientMode() {
        byte[] noTime = mutant("VXU_V04", "|20240310103000-0500||VXU", "|||VXU");
        assertThatThrownBy(() -> lenient(noTime))
                .isInstanceOfSatisfying(MappingException.class, e -> assertThat(e.fieldPosition()).isEqualTo(7));
    }
}
