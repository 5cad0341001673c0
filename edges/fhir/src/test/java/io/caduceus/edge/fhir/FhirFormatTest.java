package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FhirFormatTest {

    @Test
    void readsTheRequestFormatFromContentTypeOrTheFirstByte() {
        byte[] none = new byte[0];
        assertThat(FhirFormat.ofRequest("application/fhir+json; charset=UTF-8", none)).isEqualTo(FhirFormat.JSON);
        assertThat(FhirFormat.ofRequest("application/json", none)).isEqualTo(FhirFormat.JSON);
        assertThat(FhirFormat.ofRequest("application/fhir+xml", none)).isEqualTo(FhirFormat.XML);
        assertThat(FhirFormat.ofRequest("text/plain", none)).isNull();
        assertThat(FhirFormat.ofRequest(null, "  <Patient/>".getBytes(StandardCharsets.UTF_8))).isEqualTo(FhirFormat.XML);
        assertThat(FhirFormat.ofRequest(null, "\n{}".getBytes(StandardCharsets.UTF_8))).isEqualTo(FhirFormat.JSON);
    }

    @Test
    void formatParameterWinsOverAcceptWhichWinsOverTheRequestFormat() {
        assertThat(FhirFormat.forResponse("xml", "application/fhir+json", FhirFormat.JSON)).isEqualTo(FhirFormat.XML);
        assertThat(FhirFormat.forResponse("application/fhir+json", null, FhirFormat.XML)).isEqualTo(FhirFormat.JSON);
        assertThat(FhirFormat.forResponse(null, "text/html, application/fhir+xml;q=0.9", FhirFormat.JSON)).isEqualTo(FhirFormat.XML);
        assertThat(FhirFormat.forResponse(null, "*/*", FhirFormat.XML)).isEqualTo(FhirFormat.XML);
        assertThat(FhirFormat.forResponse(null, null, null)).isEqualTo(FhirFormat.JSON);
    }
}
