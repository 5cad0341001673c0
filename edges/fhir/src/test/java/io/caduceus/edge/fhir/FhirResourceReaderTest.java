package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import org.junit.jupiter.api.Test;

class FhirResourceReaderTest {

    private final FhirResourceReader reader = new FhirResourceReader(FhirContext.forR4Cached(), 64);

    private FhirRejection rejection(String text, FhirFormat format) {
        try {
            reader.read(text, format);
        } catch (FhirRejection e) {
            return e;
        }
        throw new AssertionError("expected a rejection");
    }

    @Test
    void readsJsonAndXml() throws Exception {
        assertThat(reader.read(FhirSamples.patient("MRN-1"), FhirFormat.JSON).resource().fhirType()).isEqualTo("Patient");
        assertThat(reader.read(FhirSamples.patientXml("MRN-1"), FhirFormat.XML).resource().fhirType()).isEqualTo("Patient");
    }

    @Test
    void brokenJsonIs400NamingThePositionNotTheContent() {
        FhirRejection e = rejection("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + FhirSamples.CANARY + "\"", FhirFormat.JSON);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.quarantine()).isTrue();
        assertThat(e.getMessage()).doesNotContain(FhirSamples.CANARY).contains("not well-formed JSON");
        assertThat(rejection("", FhirFormat.JSON).status()).isEqualTo(400);
        assertThat(rejection("[1,2]", FhirFormat.JSON).status()).isEqualTo(400);
    }

    @Test
    void anUnknownResourceTypeIs400() {
        FhirRejection e = rejection("{\"resourceType\":\"Robot\",\"id\":\"x\"}", FhirFormat.JSON);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).doesNotContain("Robot");
    }

    @Test
    void deepNestingIsRefusedBeforeParsing() {
        String deep = "{\"resourceType\":\"Patient\",\"extension\":" + "[".repeat(100) + "]".repeat(100) + "}";
        FhirRejection e = rejection(deep, FhirFormat.JSON);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).contains("nested deeper");
        String deepXml = "<Patient xmlns=\"http://hl7.org/fhir\">" + "<extension>".repeat(100) + "</extension>".repeat(100) + "</Patient>";
        assertThat(rejection(deepXml, FhirFormat.XML).getMessage()).contains("nested deeper");
        assertThat(FhirResourceReader.jsonDepth("{\"a\":\"[[[[{{{{\"}", 64)).isEqualTo(1);
    }

    @Test
    void xmlWithADtdIsRefused() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"&x;\"/></Patient>";
        assertThat(rejection(xxe, FhirFormat.XML).status()).isEqualTo(400);
        assertThat(rejection("<Patient", FhirFormat.XML).getMessage()).contains("not well-formed XML");
    }

    @Test
    void parseIssuesNameTheElementOnly() throws Exception {
        FhirResourceReader.Parsed parsed = reader.read(FhirSamples.patient("MRN-1").replace("\"female\"", "\"robot\""), FhirFormat.JSON);
        assertThat(parsed.parseIssues()).isNotEmpty();
        assertThat(parsed.parseIssues()).allSatisfy(i -> assertThat(i.diagnostics()).doesNotContain("robot"));
    }
}
