package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.hl7.v2.Hl7Message;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.MessageHeader;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.Test;

/** OBX value types beyond NM and ST (IG SN[Range], SN[Ratio]), OBX-4 and the MSH fields MessageHeader carries. */
class ObservationValueTypesTest {
    private static final String MESSAGE = String.join("\r",
            "MSH|^~\\&|LAB|HOSP|EHR|HOSP|20240101120000+0000||ORU^R01^ORU_R01|M1|P|2.5.1|||AL|NE|||||PROF1^^2.16.840.1^ISO",
            "PID|1||P1^^^HOSP^MR||Doe^Jane||19800101|F",
            "OBR|1||F1^LAB|24356-8^Urinalysis^LN|||20240101100000+0000",
            "OBX|1|SN|13945-1^RBC^LN||^3^-^5|/[HPF]^^UCUM|0-2|H|||F",
            "OBX|2|SN|5130-0^ANA titer^LN||^1^:^80||<1:40|A|||F",
            "OBX|3|ST|5909-7^Smear^LN|2a|Normal||||||F",
            "OBX|4|NM|2951-2^Sodium^LN||140|mmol/L^^UCUM|||||F|||||1234^Ng^Alice");

    private static List<Observation> observations(Bundle bundle) {
        return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(Observation.class::isInstance).map(Observation.class::cast).toList();
    }

    private static Bundle map() throws Exception {
        MappingResult result = Fixtures.mapper().map(Hl7Message.parse(MESSAGE.getBytes(StandardCharsets.UTF_8)),
                MappingMode.LENIENT);
        assertThat(result.issues()).isEmpty();
        assertThat(FhirValidation.errors(new String(result.canonicalJson(), StandardCharsets.UTF_8))).isEmpty();
        return result.bundle();
    }

    @Test
    void structuredNumericRangesAndRatiosAreRangesAndRatios() throws Exception {
        List<Observation> obs = observations(map());
        assertThat(obs.get(0).getValueRange().getLow().getValue()).isEqualByComparingTo("3");
        assertThat(obs.get(0).getValueRange().getHigh().getValue()).isEqualByComparingTo("5");
        assertThat(obs.get(0).getValueRange().getHigh().getCode()).isEqualTo("/[HPF]");
        assertThat(obs.get(1).getValueRatio().getNumerator().getValue()).isEqualByComparingTo("1");
        assertThat(obs.get(1).getValueRatio().getDenominator().getValue()).isEqualByComparingTo("80");
    }

    @Test
    void subIdAndValueTypeAreKept() throws Exception {
        List<Observation> obs = observations(map());
        assertThat(obs.get(2).getExtensionByUrl("http://hl7.org/fhir/StructureDefinition/observation-v2-subid")
                .getValue().primitiveValue()).isEqualTo("2a");
        assertThat(obs.get(0).getExtensionByUrl("http://hl7.org/fhir/StructureDefinition/observation-v2-subid")).isNull();
        assertThat(obs.get(2).getExtensionByUrl("urn:caduceus:fhir:extension:v2-value-type").getValue().primitiveValue())
                .isEqualTo("ST");
        assertThat(obs.get(3).getPerformer()).extracting(r -> r.getIdentifier().getValue()).contains("1234");
    }

    @Test
    void acknowledgementTypesStructureAndProfileAreMessageHeaderExtensions() throws Exception {
        MessageHeader header = map().getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(MessageHeader.class::isInstance).map(MessageHeader.class::cast).findFirst().orElseThrow();
        assertThat(header.getExtensionByUrl("urn:caduceus:fhir:extension:v2-accept-acknowledgment-type").getValue()
                .primitiveValue()).isEqualTo("AL");
        assertThat(header.getExtensionByUrl("urn:caduceus:fhir:extension:v2-application-acknowledgment-type").getValue()
                .primitiveValue()).isEqualTo("NE");
        assertThat(header.getExtensionByUrl("urn:caduceus:fhir:extension:v2-message-structure").getValue()
                .primitiveValue()).isEqualTo("ORU_R01");
        assertThat(header.getExtensionByUrl("urn:caduceus:fhir:extension:v2-message-profile").getValue())
                .isInstanceOfSatisfying(org.hl7.fhir.r4.model.Identifier.class,
                        id -> assertThat(id.getValue()).isEqualTo("PROF1"));
    }
}
