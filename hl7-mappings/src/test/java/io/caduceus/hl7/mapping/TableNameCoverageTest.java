package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.hl7.v2.Hl7Message;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The table a CWE names beside a code that a value set translates (IN1-17 {@code SEL^Self^HL70063}) is carried by the
 * translation: the coverage report counts it mapped when it names the value set's own table, and only then.
 */
class TableNameCoverageTest {

    private static MappingCoverage coverage(byte[] message) throws Exception {
        return Fixtures.mapper().coverage(Hl7Message.parse(message), MappingMode.LENIENT);
    }

    private static MappingCoverage.Status statusAt(MappingCoverage report, String location) {
        return report.values().stream().filter(v -> v.location().equals(location)).findFirst()
                .orElseThrow(() -> new AssertionError("no populated value at " + location)).status();
    }

    @Test
    void theTranslatedTablesNameIsMappedAndAnotherNameIsNot() throws Exception {
        byte[] adt = Fixtures.message("ADT_A01");
        assertThat(statusAt(coverage(adt), "IN1-17.3")).isEqualTo(MappingCoverage.Status.MAPPED);

        String text = new String(adt, StandardCharsets.UTF_8);
        String lower = text.replace("|SEL^Self^HL70063|19640812", "|SEL^Self^hl70063|19640812");
        assertThat(lower).isNotEqualTo(text);
        assertThat(statusAt(coverage(lower.getBytes(StandardCharsets.UTF_8)), "IN1-17.3"))
                .isEqualTo(MappingCoverage.Status.MAPPED);

        // A local table name says something the translation does not: it stays unmapped.
        String local = text.replace("|SEL^Self^HL70063|19640812", "|SEL^Self^LOCALREL|19640812");
        assertThat(statusAt(coverage(local.getBytes(StandardCharsets.UTF_8)), "IN1-17.3"))
                .isEqualTo(MappingCoverage.Status.UNMAPPED);
    }

    @Test
    void aValueSetTableMustBeFourDigits() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ValueSetMap.compile(
                java.util.Map.of("table", "63", "map", java.util.Map.of("A", "a")), "valuesets/x.yml"))
                .hasMessageContaining("four-digit");
    }
}
