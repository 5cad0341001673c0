package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.hl7.v2.Hl7ParseException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MapperBehaviourTest {
    /** Fake surname that appears in the test messages and must never leak into exceptions or toString. */
    private static final String SURNAME = "Quetschenpaua";

    private static final String MSH = "MSH|^~\\&|APP|FAC|RCV|RFAC|20240305143015+0100||ADT^A01^ADT_A01|C-77|P|2.5.1";
    private static final String PID = "PID|1||MRN-4242^^^FAC^MR||" + SURNAME + "^Petra||19700101|F";

    private static byte[] message(String... segments) {
        return String.join("\r", segments).getBytes(StandardCharsets.UTF_8);
    }

    /** Senders still on 2.1/2.2, or already on 2.9: the fields mapped kept their places, so they map alike. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"2.1", "2.2", "2.9", "2.9.1"})
    void versionsOutsideTheGuidesRangeMapAsTheirNeighboursDo(String version) throws Exception {
        String pv1 = "PV1|1|I|W1^101^A";
        MappingResult reference = Fixtures.mapper().map(message(MSH, PID, pv1));
        MappingResult mapped = Fixtures.mapper().map(message(MSH.replace("|2.5.1", "|" + version), PID, pv1));
        Patient patient = (Patient) mapped.bundle().getEntryFirstRep().getResource();
        assertThat(patient.getNameFirstRep().getFamily()).isEqualTo(SURNAME);
        assertThat(patient.getIdentifierFirstRep().getValue()).isEqualTo("MRN-4242");
        assertThat(mapped.bundle().getEntry()).extracting(e -> e.getResource().fhirType())
                .isEqualTo(reference.bundle().getEntry().stream().map(e -> e.getResource().fhirType()).toList());
        assertThat(mapped.bundle().getEntry()).filteredOn(e -> e.getResource() instanceof Provenance).singleElement()
                .satisfies(e -> assertThat(((Provenance) e.getResource()).getEntityFirstRep().getWhat().getDisplay())
                        .contains("HL7 v" + version + " "));
    }

    @Test
    void unsupportedTriggerIsTypedAndNamesOnlyTheType() {
        assertThatThrownBy(() -> Fixtures.mapper().map(message(MSH.replace("ADT^A01^ADT_A01", "ADT^A99"), PID)))
                .isInstanceOf(UnsupportedMessageException.class)
                .hasMessageContaining("ADT^A99")
                .hasMessageNotContaining(SURNAME);
        assertThatThrownBy(() -> Fixtures.mapper().map(message(MSH.replace("ADT^A01^ADT_A01", "ACK"), PID)))
                .isInstanceOf(UnsupportedMessageException.class);
    }

    @Test
    void invalidDateIsAMappingExceptionWithPositionsButNoValue() {
        String badBirthDate = PID.replace("19700101", "19701345");
        assertThatThrownBy(() -> Fixtures.mapper().map(message(MSH, badBirthDate)))
                .isInstanceOfSatisfying(MappingException.class, e -> {
                    assertThat(e.segmentId()).isEqualTo("PID");
                    assertThat(e.segmentRepetition()).isEqualTo(1);
                    assertThat(e.fieldPosition()).isEqualTo(7);
                    assertThat(e.componentPosition()).isZero();
                    assertThat(e.getMessage()).doesNotContain(SURNAME).doesNotContain("19701345");
                });
    }

    @Test
    void aNumberBeyondDoubleRangeIsAMappingErrorOfItsField() {
        String obr = "OBR|1|P1|F1|24323-8^Panel^LN|||20240306070000+0100";
        String hugeObx = "OBX|1|NM|2951-2^Sodium^LN||1E400|mmol/L^mmol/L^UCUM|||||F";
        assertThatThrownBy(() -> Fixtures.mapper().map(message(MSH.replace("ADT^A01^ADT_A01", "ORU^R01"), PID, obr, hugeObx)))
                .isInstanceOfSatisfying(MappingException.class, e -> {
                    assertThat(e.segmentId()).isEqualTo("OBX");
                    assertThat(e.fieldPosition()).isEqualTo(5);
                });
    }

    @Test
    void invalidComponentIsReportedWithItsComponentAndSegmentRepetition() {
        String obr = "OBR|1|P1|F1|24323-8^Panel^LN|||20240306070000+0100";
        String goodObx = "OBX|1|NM|2951-2^Sodium^LN||141|mmol/L^mmol/L^UCUM|||||F";
        String badObx = "OBX|2|NM|2823-3^Potassium^LN||5.9|mmol/L^mmol/L^UCUM|||||F|||2024XX06";
        byte[] oru = message(MSH.replace("ADT^A01^ADT_A01", "ORU^R01"), PID, obr, goodObx, badObx);
        assertThatThrownBy(() -> Fixtures.mapper().map(oru))
                .isInstanceOfSatisfying(MappingException.class, e -> {
                    assertThat(e.segmentId()).isEqualTo("OBX");
                    assertThat(e.segmentRepetition()).isEqualTo(2);
                    assertThat(e.fieldPosition()).isEqualTo(14);
                    assertThat(e.getMessage()).doesNotContain(SURNAME);
                });
        byte[] badNumber = message(MSH.replace("ADT^A01^ADT_A01", "ORU^R01"), PID, obr,
                goodObx.replace("|141|", "|" + SURNAME + "|"));
        assertThatThrownBy(() -> Fixtures.mapper().map(badNumber))
                .isInstanceOfSatisfying(MappingException.class, e -> {
                    assertThat(e.fieldPosition()).isEqualTo(5);
                    assertThat(e.getMessage()).doesNotContain(SURNAME);
                });
    }

    @Test
    void parseFailuresCarryNoContent() {
        assertThatThrownBy(() -> Fixtures.mapper().map(message(MSH.replace("2.5.1", "3.0"), PID)))
                .isInstanceOf(Hl7ParseException.class)
                .hasMessageNotContaining(SURNAME);
    }

    @Test
    void resultExposesMessageFactsAndHidesPatientData() throws Exception {
        MappingResult result = Fixtures.mapper().map(message(MSH, PID));
        assertThat(result.messageType()).isEqualTo("ADT");
        assertThat(result.triggerEvent()).isEqualTo("A01");
        assertThat(result.controlId()).isEqualTo("C-77");
        assertThat(result.sendingApplication()).isEqualTo("APP");
        assertThat(result.sendingFacility()).isEqualTo("FAC");
        assertThat(result.patientIdentifier()).hasValueSatisfying(id -> {
            assertThat(id.system()).isEqualTo("urn:id:FAC");
            assertThat(id.value()).isEqualTo("MRN-4242");
            assertThat(id.toString()).doesNotContain("MRN-4242");
        });
        assertThat(result.toString()).doesNotContain(SURNAME).doesNotContain("MRN-4242").doesNotContain("C-77");
        assertThat(new String(result.canonicalJson(), StandardCharsets.UTF_8)).contains(SURNAME);
    }

    @Test
    void bundleCarriesProvenanceOfTheSourceMessage() throws Exception {
        Bundle bundle = Fixtures.mapper().map(message(MSH, PID)).bundle();
        assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.COLLECTION);
        Provenance provenance = (Provenance) bundle.getEntry().get(bundle.getEntry().size() - 1).getResource();
        assertThat(provenance.getRecordedElement().getValueAsString()).isEqualTo("2024-03-05T14:30:15+01:00");
        assertThat(provenance.getEntityFirstRep().getWhat().getIdentifier().getValue()).isEqualTo("C-77");
        assertThat(provenance.getAgent()).extracting(a -> a.getWho().getIdentifier().getValue())
                .containsExactly("APP", "FAC");
        assertThat(provenance.getPolicy().get(0).getValue())
                .isEqualTo("urn:caduceus:hl7-mappings:" + Fixtures.mapper().mappingVersion());
        assertThat(provenance.getTarget()).hasSize(bundle.getEntry().size() - 1);
    }

    @Test
    void patientIdIsDerivedFromTheIdentifierNotTheMessage() throws Exception {
        Patient first = (Patient) Fixtures.mapper().map(message(MSH, PID)).bundle().getEntryFirstRep().getResource();
        Patient second = (Patient) Fixtures.mapper().map(message(MSH.replace("C-77", "C-78"), PID)).bundle()
                .getEntryFirstRep().getResource();
        assertThat(second.getIdElement().getIdPart()).isEqualTo(first.getIdElement().getIdPart());
    }

    /** The Patient id before it was keyed: a version-5 UUID anyone could compute from PID-3.1 and PID-3.4. */
    static String oldNameBasedId(String name) throws Exception {
        java.security.MessageDigest sha1 = java.security.MessageDigest.getInstance("SHA-1");
        java.util.UUID ns = java.util.UUID.fromString("6f3c8b9e-2d4a-5c1e-9b7f-0a1d2c3e4f50");
        sha1.update(java.nio.ByteBuffer.allocate(16).putLong(ns.getMostSignificantBits())
                .putLong(ns.getLeastSignificantBits()).array());
        byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(hash, 0, 16);
        return new java.util.UUID(b.getLong(), b.getLong()).toString();
    }

    @Test
    void thePatientIdIsKeyedSoItDoesNotRevealTheMrn() throws Exception {
        String id = ((Patient) Fixtures.mapper().map(message(MSH, PID)).bundle().getEntryFirstRep().getResource())
                .getIdElement().getIdPart();
        assertThat(Fixtures.builder().build().map(message(MSH, PID)).bundle().getEntryFirstRep().getResource()
                .getIdElement().getIdPart()).as("deterministic").isEqualTo(id);
        Hl7ToFhirMapper otherDeployment = Hl7ToFhirMapper.builder().resourceIdKey(new io.caduceus.core.keys.DeploymentKeys(
                Fixtures.testSecret(0x2b)).keyFor(io.caduceus.core.keys.DeploymentKeys.Purpose.RESOURCE_ID)).build();
        assertThat(otherDeployment.map(message(MSH, PID)).bundle().getEntryFirstRep().getResource().getIdElement()
                .getIdPart()).as("another secret, another id").isNotEqualTo(id);
        assertThat(id).isNotEqualTo(oldNameBasedId("Patient|id|MRN-4242|FAC"));
        assertThat(java.util.UUID.fromString(id).version()).isEqualTo(8);
    }

    @Test
    void everyMappedIdIsKeyedNoneNameBased() throws Exception {
        for (String name : Fixtures.MESSAGES) {
            for (Bundle.BundleEntryComponent entry : Fixtures.mapper().map(Fixtures.message(name)).bundle().getEntry()) {
                assertThat(java.util.UUID.fromString(entry.getResource().getIdElement().getIdPart()).version())
                        .as("%s %s", name, entry.getResource().fhirType()).isEqualTo(8);
            }
        }
        assertThat(oldNameBasedId("Patient|id|MRN123456|CADUCEUS_GH")).as("the old scheme, as it was")
                .isEqualTo("10599b26-403c-5bf7-b45f-ec9e8af330bc");
    }

    @Test
    void aMapperWithoutTheDeploymentKeyIsRefused() {
        assertThatThrownBy(() -> Hl7ToFhirMapper.builder().build()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void lineEndingsDoNotChangeTheOutput() throws Exception {
        String cr = new String(Fixtures.message("ADT_A01"), StandardCharsets.UTF_8);
        byte[] crlf = cr.replace("\r", "\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] lf = ("\u000b" + cr.replace("\r", "\n") + "\u001c\r").getBytes(StandardCharsets.UTF_8);
        byte[] expected = Fixtures.mapper().map(Fixtures.message("ADT_A01")).canonicalJson();
        assertThat(Fixtures.mapper().map(crlf).canonicalJson()).isEqualTo(expected);
        assertThat(Fixtures.mapper().map(lf).canonicalJson()).isEqualTo(expected);
    }

    @Test
    void timesWithoutOffsetUseTheConfiguredZone() throws Exception {
        Hl7ToFhirMapper berlin = Fixtures.builder().defaultZone(ZoneId.of("Europe/Berlin")).build();
        String msh = MSH.replace("20240305143015+0100", "20240705143015");
        String pv1 = "PV1|1|I|||||||||||||||||V1^^^FAC^VN|||||||||||||||||||||||||202407051200";
        Encounter encounter = (Encounter) berlin.map(message(msh, PID, pv1)).bundle().getEntry().get(1).getResource();
        assertThat(encounter.getPeriod().getStartElement().getValueAsString()).isEqualTo("2024-07-05T12:00:00+02:00");
        Encounter utc = (Encounter) Fixtures.mapper().map(message(msh, PID, pv1)).bundle().getEntry().get(1)
                .getResource();
        assertThat(utc.getPeriod().getStartElement().getValueAsString()).isEqualTo("2024-07-05T12:00:00Z");
    }

    @Test
    void externalFolderOverridesAndAddsMappings(@TempDir Path folder) throws Exception {
        Files.createDirectories(folder.resolve("valuesets"));
        Files.writeString(folder.resolve("valuesets/administrative-sex.yml"), "map: {F: other, M: other}\n");
        Files.createDirectories(folder.resolve("messages"));
        Files.writeString(folder.resolve("messages/ADT_A99.yml"),
                "resources:\n  - {key: patient, template: Patient, segment: PID}\n");
        Hl7ToFhirMapper custom = Fixtures.builder().externalMappings(folder).build();

        assertThat(custom.supportedMessages()).contains("ADT_A99", "ADT_A01");
        assertThat(custom.mappingVersion()).startsWith(Fixtures.mapper().mappingVersion() + "+local.");
        Patient overridden = (Patient) custom.map(message(MSH, PID)).bundle().getEntryFirstRep().getResource();
        assertThat(overridden.getGender().toCode()).isEqualTo("other");
        Patient added = (Patient) custom.map(message(MSH.replace("ADT^A01^ADT_A01", "ADT^A99"), PID)).bundle()
                .getEntryFirstRep().getResource();
        assertThat(added.getNameFirstRep().getFamily()).isEqualTo(SURNAME);
        Patient builtIn = (Patient) Fixtures.mapper().map(message(MSH, PID)).bundle().getEntryFirstRep().getResource();
        assertThat(builtIn.getGender().toCode()).isEqualTo("female");
    }

    @Test
    void faultyMappingFilesFailAtBuildNamingTheFile(@TempDir Path folder) throws Exception {
        Files.createDirectories(folder.resolve("resources"));
        Files.writeString(folder.resolve("resources/Patient.yml"),
                "resourceType: Patient\nelements:\n  - {path: nickName, from: PID.5}\n");
        assertThatThrownBy(() -> Fixtures.builder().externalMappings(folder).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("resources/Patient.yml")
                .hasMessageContaining("nickName");
    }

    @Test
    void supportsTheDocumentedMessages() throws Exception {
        assertThat(Fixtures.mapper().supportedMessages()).containsExactlyInAnyOrderElementsOf(Fixtures.MESSAGES);
        // The table integration engineers read is the list the mapper answers to, no more and no less.
        java.util.List<String> documented = Files.readAllLines(Path.of("supported-messages.md")).stream()
                .map(line -> java.util.regex.Pattern.compile("^\\| ([A-Z][A-Z0-9]{2})\\^([A-Z0-9]{3}) \\|").matcher(line))
                .filter(java.util.regex.Matcher::find).map(m -> m.group(1) + "_" + m.group(2)).toList();
        assertThat(documented).containsExactlyInAnyOrderElementsOf(Fixtures.mapper().supportedMessages());
    }
}
