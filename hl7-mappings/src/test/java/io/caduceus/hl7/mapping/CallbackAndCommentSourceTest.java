package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.hl7.v2.Hl7Message;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.Test;

/** An order's call-back numbers (OBR-17, ORC-14) and who a comment comes from (NTE-2). */
class CallbackAndCommentSourceTest {
    private static final String CALLBACK = "http://hl7.org/fhir/StructureDefinition/servicerequest-order-callback-phone-number";
    private static final String COMMENT_SOURCE = "urn:caduceus:fhir:extension:v2-comment-source";
    private static final String MSH = "MSH|^~\\&|CPOE|FAC|RIS|FAC|20240402083000+0200||ORM^O01|C-1|P|2.3";
    private static final String PID = "PID|1||MRN-1^^^FAC^MR||Doe^Jane||19700101|F";

    private static MappingResult map(String... segments) throws Exception {
        return Fixtures.mapValid(segments);
    }

    private static MappingCoverage coverage(String... segments) throws Exception {
        return Fixtures.mapper().coverage(Hl7Message.parse(String.join("\r", segments).getBytes(StandardCharsets.UTF_8)),
                MappingMode.LENIENT);
    }

    private static MappingCoverage.Status statusAt(MappingCoverage report, String location) {
        return report.values().stream().filter(v -> v.location().equals(location)).findFirst()
                .orElseThrow(() -> new AssertionError("no populated value at " + location)).status();
    }

    private static <T extends Resource> List<T> all(Bundle bundle, Class<T> type) {
        return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance)
                .map(type::cast).toList();
    }

    private static List<String> callbacks(Bundle bundle) {
        return all(bundle, ServiceRequest.class).get(0).getExtensionsByUrl(CALLBACK).stream()
                .map(e -> ((ContactPoint) e.getValue()).getValue()).toList();
    }

    @Test
    void orcCallbackNumberIsTheOrdersWhenObrHasNone() throws Exception {
        Bundle bundle = map(MSH, PID, "ORC|NW|ORD-1^CPOE||||||||||||^WPN^PH^^1^847^5550400",
                "OBR|1|ORD-1^CPOE||71046^XR Chest^CPT4").bundle();
        assertThat(callbacks(bundle)).containsExactly("+1 847 5550400");
        ContactPoint number = (ContactPoint) all(bundle, ServiceRequest.class).get(0).getExtensionByUrl(CALLBACK).getValue();
        assertThat(number.getUse()).isEqualTo(ContactPoint.ContactPointUse.WORK);
    }

    @Test
    void differentObrAndOrcNumbersAreBothKeptAndAnEqualOneOnce() throws Exception {
        String orc = "ORC|NW|ORD-1^CPOE||||||||||||^WPN^PH^^353^91^5550300";
        assertThat(callbacks(map(MSH, PID, orc, "OBR|1|ORD-1^CPOE||71046^XR Chest^CPT4|||||||||||||^WPN^PH^^353^91^5550301")
                .bundle())).containsExactly("+353 91 5550301", "+353 91 5550300");

        String sameObr = "OBR|1|ORD-1^CPOE||71046^XR Chest^CPT4|||||||||||||^WPN^PH^^353^91^5550300";
        assertThat(callbacks(map(MSH, PID, orc, sameObr).bundle())).containsExactly("+353 91 5550300");
        MappingCoverage report = coverage(MSH, PID, orc, sameObr);
        assertThat(statusAt(report, "OBR-17.7")).isEqualTo(MappingCoverage.Status.MAPPED);
        assertThat(statusAt(report, "ORC-14.7")).isEqualTo(MappingCoverage.Status.REPEATED);
    }

    @Test
    void theSourceOfACommentIsAnExtensionOfItsNote() throws Exception {
        Bundle oru = map("MSH|^~\\&|LAB|FAC|EHR|FAC|20240402083000+0200||ORU^R01|C-2|P|2.5.1", PID,
                "OBR|1|ORD-1^CPOE|F-1^LAB|2951-2^Sodium^LN", "OBX|1|NM|2951-2^Sodium^LN||131|mmol/L|||||F",
                "NTE|1|L|Specimen slightly hemolyzed.", "NTE|2|X|Local source code.", "NTE|3||No source.").bundle();
        List<Annotation> notes = all(oru, Observation.class).get(0).getNote();
        assertThat(notes).extracting(Annotation::getText)
                .containsExactly("Specimen slightly hemolyzed.", "Local source code.", "No source.");
        Coding filler = (Coding) notes.get(0).getExtensionByUrl(COMMENT_SOURCE).getValue();
        assertThat(filler.getSystem()).isEqualTo("http://terminology.hl7.org/CodeSystem/v2-0105");
        assertThat(filler.getCode()).isEqualTo("L");
        // A code outside table 0105 is kept as sent, without claiming the table's system.
        Coding local = (Coding) notes.get(1).getExtensionByUrl(COMMENT_SOURCE).getValue();
        assertThat(local.hasSystem()).isFalse();
        assertThat(local.getCode()).isEqualTo("X");
        assertThat(notes.get(2).getExtensionsByUrl(COMMENT_SOURCE)).isEmpty();
    }

    @Test
    void pharmacyOrderNotesKeepTheirSourceToo() throws Exception {
        Bundle rde = map("MSH|^~\\&|PHARM|FAC|EHR|FAC|20240402083000+0200||RDE^O11|C-3|P|2.5", PID,
                "ORC|NW|RX-1^PYXIS", "RXE|^^^20240402090000+0200|313782^Acetaminophen 325 MG^RXNORM|650||mg^mg^UCUM",
                "NTE|1|P|Max 3 g/day").bundle();
        Extension source = all(rde, MedicationRequest.class).get(0).getNoteFirstRep().getExtensionByUrl(COMMENT_SOURCE);
        assertThat(((Coding) source.getValue()).getCode()).isEqualTo("P");
    }
}
