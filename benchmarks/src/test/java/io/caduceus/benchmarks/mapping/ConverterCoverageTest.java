package io.caduceus.benchmarks.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.hl7.v2.Hl7Message;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConverterCoverageTest {

    private static List<ConverterCoverage.Populated> values(String hl7) throws Exception {
        return ConverterCoverage.populated(Hl7Message.parse(hl7.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void findsValuesWhateverTheirFhirFormattingAndNotKeysOrTranslations() throws Exception {
        List<ConverterCoverage.Populated> values = values(
                "MSH|^~\\&|APP|FAC|||20240310101500-0500||ADT^A01|C1|P|2.5.1\rPID|1||MRN1||Doe^Jane||20230115|F");
        // MSH-3, 4, 7, 9.1, 9.2, 10, 11, 12; PID-1, 3, 5.1, 5.2, 7, 8
        assertThat(values).hasSize(14);
        String json = "{\"resourceType\":\"Bundle\",\"birthDate\":\"2023-01-15\",\"recorded\":\"2024-03-10T10:15:00-05:00\","
                + "\"family\":\"Doe\",\"given\":[\"Jane\"],\"gender\":\"female\",\"APP\":1,"
                + "\"identifier\":{\"value\":\"urn:id:FAC-MRN1\"},\"id\":\"C1\",\"reference\":\"urn:uuid:2024\"}";
        // The dates, Doe, Jane, MRN1 and FAC inside a longer value, and the 1 of PID-1 by coincidence; not APP (a key),
        // not F (translated), not C1 (found only in an id).
        assertThat(ConverterCoverage.found(values, json)).isEqualTo(7);
    }
}
