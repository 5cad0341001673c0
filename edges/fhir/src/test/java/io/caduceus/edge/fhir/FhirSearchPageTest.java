package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FhirSearchPageTest {

    private static FhirSearchPage parse(String json) throws LegacyFhirException {
        return FhirSearchPage.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void eachMatchKeepsItsOwnTextExactlyAsWritten() throws Exception {
        String patient = "{ \"resourceType\": \"Patient\",\n  \"id\": \"p1\", \"meta\": {\"versionId\": \"7\", \"lastUpdated\": "
                + "\"2026-11-20T08:00:00.1+00:00\"}, \"name\": [{\"family\": \"Müller\"}], \"extension\": [{\"url\": \"x\", "
                + "\"valueDecimal\": 1.500000000000000000001}] }";
        String page = "{\"resourceType\":\"Bundle\",\"id\":\"s\",\"type\":\"searchset\",\"total\":2,"
                + "\"link\":[{\"relation\":\"self\",\"url\":\"a\"},{\"relation\":\"next\",\"url\":\"https://legacy/fhir?page=2\"}],"
                + "\"entry\":[{\"fullUrl\":\"x\",\"resource\":" + patient + ",\"search\":{\"mode\":\"match\",\"score\":1}},"
                + "{\"resource\":{\"resourceType\":\"Organization\",\"id\":\"o\"},\"search\":{\"mode\":\"include\"}},"
                + "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p2\"}}]}";
        FhirSearchPage parsed = parse(page);
        assertThat(parsed.next()).isEqualTo("https://legacy/fhir?page=2");
        assertThat(parsed.matches()).hasSize(2);
        FhirSearchPage.Match first = parsed.matches().get(0);
        assertThat(first.json()).isEqualTo(patient);
        assertThat(first.versionKey()).isEqualTo("Patient/p1/_history/7");
        assertThat(first.lastUpdated()).isEqualTo("2026-11-20T08:00:00.1+00:00");
        assertThat(first.lastUpdatedInstant()).hasToString("2026-11-20T08:00:00.100Z");
        FhirSearchPage.Match second = parsed.matches().get(1);
        assertThat(second.lastUpdated()).isNull();
        assertThat(second.versionKey()).isEqualTo("Patient/p2");
    }

    @Test
    void anEmptySearchsetIsAnEmptyLastPage() throws Exception {
        FhirSearchPage empty = parse("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":0}");
        assertThat(empty.matches()).isEmpty();
        assertThat(empty.next()).isNull();
    }

    @Test
    void anythingButAJsonSearchsetIsRefusedWithoutQuotingIt() {
        for (String garbage : List.of("", "Zzyzxcanary", "<Bundle xmlns=\"http://hl7.org/fhir\"/>", "[]",
                "{\"resourceType\":\"Patient\",\"name\":\"Zzyzxcanary\"}",
                "{\"resourceType\":\"Bundle\",\"type\":\"transaction\"}",
                "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[{\"fullUrl\":\"Zzyzxcanary\"}]}",
                "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":{}}",
                "{\"resourceType\":\"Bundle\",\"type\":\"searchset\"} trailing",
                "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[{\"resource\":{\"family\":\"Zzyzxcanary")) {
            assertThatThrownBy(() -> parse(garbage)).as(garbage).isInstanceOf(LegacyFhirException.class)
                    .hasNoCause().satisfies(e -> assertThat(e.getMessage()).doesNotContain("Zzyzxcanary"));
        }
    }
}
