package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.hl7.v2.Hl7Message;
import io.caduceus.hl7.v2.Hl7Segment;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.MessageHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Site-specific segments (Z...) are carried whole on the MessageHeader, and the coverage report counts them mapped. */
class ZSegmentsTest {
    private static final String MESSAGE = String.join("\r",
            "MSH|^~\\&|ADT|HOSP|EHR|HOSP|20240101120000+0000||ADT^A01^ADT_A01|Z1|P|2.5.1",
            "PID|1||P1^^^HOSP^MR||Doe^Jane||19800101|F",
            "ZPI|1|VIP^Very important^L~STAFF^Staff member^L|note with \\T\\ and \\F\\ escapes\\.br\\second line||\"\"|"
                    + "A&B^C",
            "PV1|1|I|W1^R1^B1",
            "ZPV|1|HOSPITALIST| padded |",
            "ZNO");

    private static MappingResult map(String text) throws Exception {
        return Fixtures.mapper().map(Hl7Message.parse(text.getBytes(StandardCharsets.UTF_8)), MappingMode.LENIENT);
    }

    private static MessageHeader header(Bundle bundle) {
        return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(MessageHeader.class::isInstance).map(MessageHeader.class::cast).findFirst().orElseThrow();
    }

    private static String text(Extension e, String url) {
        return e.getExtensionByUrl(url).getValue().primitiveValue();
    }

    /** position -> text of one carried segment. */
    private static Map<String, String> values(Extension segment) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Extension v : segment.getExtensionsByUrl("value")) {
            values.put(text(v, "position"), text(v, "text"));
        }
        return values;
    }

    @Test
    void everyZSegmentIsOneExtensionOfTheMessageHeaderWithItsIdPositionAndValues() throws Exception {
        MappingResult result = map(MESSAGE);
        assertThat(result.issues()).isEmpty();
        List<Extension> carried = header(result.bundle()).getExtensionsByUrl(ZSegments.URL);
        // A bare ZNO has no value to carry.
        assertThat(carried).hasSize(2);

        Extension zpi = carried.get(0);
        assertThat(text(zpi, "segment")).isEqualTo("ZPI");
        assertThat(text(zpi, "sequence")).isEqualTo("3");
        assertThat(values(zpi)).containsExactly(
                Map.entry("1.1.1.1", "1"),
                Map.entry("2.1.1.1", "VIP"), Map.entry("2.1.2.1", "Very important"), Map.entry("2.1.3.1", "L"),
                Map.entry("2.2.1.1", "STAFF"), Map.entry("2.2.2.1", "Staff member"), Map.entry("2.2.3.1", "L"),
                Map.entry("3.1.1.1", "note with & and | escapes\nsecond line"),
                Map.entry("6.1.1.1", "A"), Map.entry("6.1.1.2", "B"), Map.entry("6.1.2.1", "C"));

        Extension zpv = carried.get(1);
        assertThat(text(zpv, "segment")).isEqualTo("ZPV");
        assertThat(text(zpv, "sequence")).isEqualTo("5");
        assertThat(values(zpv)).containsExactly(Map.entry("1.1.1.1", "1"), Map.entry("2.1.1.1", "HOSPITALIST"),
                Map.entry("3.1.1.1", " padded "));
    }

    @Test
    void theCarriedValuesAreEveryPopulatedValueOfTheSegmentsAndTheBundleValidates() throws Exception {
        Hl7Message message = Hl7Message.parse(MESSAGE.getBytes(StandardCharsets.UTF_8));
        MappingResult result = Fixtures.mapper().map(message, MappingMode.STRICT);
        assertThat(FhirValidation.errors(new String(result.canonicalJson(), StandardCharsets.UTF_8))).isEmpty();

        // Read back from the stored bytes, not the in-memory model: what the vault keeps is what counts.
        Bundle stored = (Bundle) ca.uhn.fhir.context.FhirContext.forR4Cached().newJsonParser()
                .parseResource(new String(result.canonicalJson(), StandardCharsets.UTF_8));
        List<Extension> carried = header(stored).getExtensionsByUrl(ZSegments.URL);
        int i = 0;
        for (Hl7Segment s : message.segments()) {
            if (!s.id().startsWith("Z")) {
                continue;
            }
            Map<String, String> expected = new LinkedHashMap<>();
            for (int f = 1; f <= s.fieldCount(); f++) {
                for (int r = 1; r <= s.repetitionCount(f); r++) {
                    for (int c = 1; c <= s.componentCount(f, r); c++) {
                        for (int sc = 1; sc <= s.subcomponentCount(f, r, c); sc++) {
                            String v = s.value(f, r, c, sc);
                            if (v != null && !"\"\"".equals(v)) {
                                expected.put(f + "." + r + "." + c + "." + sc, v);
                            }
                        }
                    }
                }
            }
            if (expected.isEmpty()) {
                continue;
            }
            assertThat(text(carried.get(i), "segment")).isEqualTo(s.id());
            assertThat(values(carried.get(i))).as(s.id()).containsExactlyEntriesOf(expected);
            i++;
        }
        assertThat(i).isEqualTo(carried.size()).isEqualTo(2);
    }

    @Test
    void theCoverageReportCountsZSegmentValuesAsMappedAndQuotesNoneOfThem() throws Exception {
        MappingCoverage report = Fixtures.mapper().coverage(Hl7Message.parse(MESSAGE.getBytes(StandardCharsets.UTF_8)),
                MappingMode.LENIENT);
        List<MappingCoverage.Value> z = report.values().stream().filter(v -> v.segmentId().startsWith("Z")).toList();
        assertThat(z).hasSize(14).allSatisfy(v -> assertThat(v.status()).as(v.location())
                .isEqualTo(MappingCoverage.Status.MAPPED));
        assertThat(report.toText() + report.toJson()).contains("ZPI-2[2].2").doesNotContain("Very important")
                .doesNotContain("HOSPITALIST");
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("io.caduceus.hl7.mapping.Fixtures#MESSAGES")
    void noFixtureValueOfAZSegmentIsLeftUnmapped(String name) throws Exception {
        MappingCoverage report = Fixtures.mapper().coverage(Hl7Message.parse(Fixtures.message(name)), MappingMode.LENIENT);
        assertThat(report.values()).filteredOn(v -> v.segmentId().startsWith("Z"))
                .allSatisfy(v -> assertThat(v.status()).as(v.location()).isEqualTo(MappingCoverage.Status.MAPPED));
    }

    @Test
    void theFixtureZSegmentKeepsItsDecodedEscape() throws Exception {
        MessageHeader header = header(Fixtures.mapper().map(Fixtures.message("ADT_A01")).bundle());
        Extension zpd = header.getExtensionByUrl(ZSegments.URL);
        assertThat(text(zpd, "segment")).isEqualTo("ZPD");
        assertThat(values(zpd)).containsEntry("2.1.2.1", "Very important").containsEntry("3.1.1.1", "extra&stuff");
    }
}
