package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.hl7.v2.Hl7Message;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class MappingCoverageTest {

    private static MappingCoverage coverage(byte[] message) throws Exception {
        return Fixtures.mapper().coverage(Hl7Message.parse(message), MappingMode.LENIENT);
    }

    private static MappingCoverage.Status statusAt(MappingCoverage report, String location) {
        return report.values().stream().filter(v -> v.location().equals(location)).findFirst()
                .orElseThrow(() -> new AssertionError("no populated value at " + location)).status();
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("io.caduceus.hl7.mapping.Fixtures#MESSAGES")
    void totalsAddUpAndTheBundleIsTheOrdinaryOne(String name) throws Exception {
        MappingCoverage report = coverage(Fixtures.message(name));
        assertThat(report.populated()).isPositive();
        assertThat(report.mapped() + report.repeated() + report.unmapped() + report.invalid()).isEqualTo(report.populated());
        assertThat(report.mapped()).as("MSH-3, -4, -7, -9, -10 and -12 at least").isGreaterThanOrEqualTo(7);
        assertThat(report.invalid()).as("the fixtures are clean").isZero();
        assertThat(report.result().canonicalJson()).isEqualTo(Fixtures.mapper().map(Fixtures.message(name)).canonicalJson());
        assertThat(report.values()).allSatisfy(v -> assertThat(v.location()).matches("[A-Z][A-Z0-9]{2}(\\[\\d+])?-\\d+(\\[\\d+])?(\\.\\d+){0,2}"));
    }

    @Test
    void namesWhatTheMappingCarriesAndWhatItLeavesOut() throws Exception {
        MappingCoverage vxu = coverage(Fixtures.message("VXU_V04"));
        assertThat(statusAt(vxu, "PID-5.1")).isEqualTo(MappingCoverage.Status.MAPPED);
        assertThat(statusAt(vxu, "RXA-15")).isEqualTo(MappingCoverage.Status.MAPPED);
        assertThat(statusAt(vxu, "RXA-16")).isEqualTo(MappingCoverage.Status.MAPPED);
        // The message structure (MSH-9.3) and the conformance profile (MSH-21) are MessageHeader extensions.
        assertThat(statusAt(vxu, "MSH-9.3")).isEqualTo(MappingCoverage.Status.MAPPED);
        assertThat(statusAt(vxu, "MSH-21.1")).isEqualTo(MappingCoverage.Status.MAPPED);
        // Set ids number the segments of one message; the guide maps them nowhere, nor does Caduceus.
        assertThat(statusAt(vxu, "PID-1")).isEqualTo(MappingCoverage.Status.UNMAPPED);
        // HD components read whole by hdToUri: the identifier's assigning authority becomes its system.
        assertThat(statusAt(vxu, "PID-3.4")).isEqualTo(MappingCoverage.Status.MAPPED);

        // Table 0201 NET has no ContactPoint.use: a valid v2 code without counterpart is unmapped, not invalid.
        MappingCoverage adt = coverage(Fixtures.message("ADT_A01"));
        assertThat(statusAt(adt, "PID-13[2].2")).isEqualTo(MappingCoverage.Status.UNMAPPED);
    }

    @Test
    void aValueSaidTwiceIsRepeatedOnlyWhenItEqualsTheOneCarried() throws Exception {
        // ORC-2 of the fixture's first order is its OBR-2 again: the ServiceRequest holds it once.
        MappingCoverage orm = coverage(Fixtures.message("ORM_O01"));
        assertThat(statusAt(orm, "OBR-2.1")).isEqualTo(MappingCoverage.Status.MAPPED);
        assertThat(statusAt(orm, "ORC-2.1")).isEqualTo(MappingCoverage.Status.REPEATED);
        assertThat(orm.repeated()).isPositive();

        // A placer number in ORC-2 that differs from OBR-2 is a value the Bundle does not hold.
        String text = new String(Fixtures.message("ORM_O01"), java.nio.charset.StandardCharsets.UTF_8)
                .replace("ORC|NW|ORD-RAD-1187^CPOE|", "ORC|NW|ORD-RAD-9999^CPOE|");
        MappingCoverage changed = coverage(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(statusAt(changed, "ORC-2.1")).isEqualTo(MappingCoverage.Status.UNMAPPED);
        assertThat(changed.repeated()).isEqualTo(orm.repeated() - 1);
    }

    @Test
    void theValueTypeOfADocumentsTextLinesIsItsContentPresentation() throws Exception {
        // TXA-3 TX is the attachment's text/plain; the TX of each OBX line says it again.
        MappingCoverage mdm = coverage(Fixtures.message("MDM_T02"));
        assertThat(statusAt(mdm, "TXA-3")).isEqualTo(MappingCoverage.Status.MAPPED);
        assertThat(statusAt(mdm, "OBX-2")).isEqualTo(MappingCoverage.Status.REPEATED);
        assertThat(statusAt(mdm, "OBX[3]-2")).isEqualTo(MappingCoverage.Status.REPEATED);

        String ft = new String(Fixtures.message("MDM_T02"), java.nio.charset.StandardCharsets.UTF_8)
                .replace("OBX|1|TX|", "OBX|1|FT|");
        MappingCoverage changed = coverage(ft.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(statusAt(changed, "OBX-2")).isEqualTo(MappingCoverage.Status.UNMAPPED);
    }

    @Test
    void aValueLeftOutAsUnusableIsInvalidWithItsCode() throws Exception {
        MappingCoverage report = coverage(LenientMappingTest.shiftedRxaVxu());
        MappingCoverage.Value expiry = report.values().stream().filter(v -> v.location().equals("RXA-16")).findFirst().orElseThrow();
        assertThat(expiry.status()).isEqualTo(MappingCoverage.Status.INVALID);
        assertThat(expiry.hl7ErrorCode()).isEqualTo(102);
        assertThat(report.invalid()).isEqualTo(1);
        assertThat(report.toText()).containsPattern("(?m)^RXA-16 +invalid  102: not an HL7 date/time")
                .doesNotContain(LenientMappingTest.SHIFTED_LOT)
                .endsWith(report.mapped() + " of " + report.populated() + " populated values mapped, " + report.repeated()
                        + " repeated (" + report.unmapped()
                        + " unmapped, 1 invalid)\n");
    }

    @Test
    void jsonListsEveryValueWithTheTotals() throws Exception {
        MappingCoverage report = coverage(LenientMappingTest.shiftedRxaVxu());
        String json = report.toJson();
        assertThat(json).startsWith("{\"message\":\"VXU^V04\",\"populated\":" + report.populated() + ",\"mapped\":" + report.mapped()
                        + ",\"repeated\":" + report.repeated())
                .contains("{\"location\":\"RXA-16\",\"segment\":\"RXA\",\"segmentRepetition\":1,\"field\":16,\"repetition\":1,"
                        + "\"component\":0,\"subcomponent\":0,\"status\":\"invalid\",\"hl7ErrorCode\":102,\"reason\":\"")
                .doesNotContain(LenientMappingTest.SHIFTED_LOT);
        Matcher values = Pattern.compile("\\{\"location\":").matcher(json);
        int n = 0;
        while (values.find()) {
            n++;
        }
        assertThat(n).isEqualTo(report.populated());
    }

    @Test
    void theMapCommandPrintsTheReport(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vxu.hl7");
        Files.write(file, LenientMappingTest.shiftedRxaVxu());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = MapCommand.run(new String[] {file.toString(), "--coverage"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern("(?m)^RXA-16 +invalid  102: ")
                .containsPattern("(?m)^\\d+ of \\d+ populated values mapped, \\d+ repeated \\(\\d+ unmapped, 1 invalid\\)$");

        out.reset();
        code = MapCommand.run(new String[] {file.toString(), "--coverage", "--json"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("{\"message\":\"VXU^V04\"").contains("\"invalid\":1,");

        // Without --coverage: the bundle, and the left-out value as the ACK's warning would name it.
        out.reset();
        err.reset();
        code = MapCommand.run(new String[] {file.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("warning (ERR severity W): RXA-16 102 Data type error");
        code = MapCommand.run(new String[] {file.toString(), "--strict"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("application error (AE): RXA[1]-16");
    }

    /** The figure the README gives: populated values of all fixtures and how many the mapping carries. */
    @Test
    void overAllFixtures() throws Exception {
        int populated = 0;
        int mapped = 0;
        int repeated = 0;
        int invalid = 0;
        StringBuilder perMessage = new StringBuilder();
        for (String name : Fixtures.MESSAGES) {
            MappingCoverage report = coverage(Fixtures.message(name));
            populated += report.populated();
            mapped += report.mapped();
            repeated += report.repeated();
            invalid += report.invalid();
            perMessage.append(String.format("%-8s %s%n", name, report.summary()));
        }
        System.out.print(perMessage);
        System.out.printf("all fixtures: %d of %d populated values mapped (%.1f%%), %d more repeated (carried %.1f%%)%n",
                mapped, populated, 100.0 * mapped / populated, repeated, 100.0 * (mapped + repeated) / populated);
        assertThat(mapped).isLessThanOrEqualTo(populated);
        assertThat(invalid).isZero();
        // What mappings 1.5.0 reached: a regression floor, not a goal.
        assertThat(100.0 * mapped / populated).isGreaterThanOrEqualTo(87.7);
    }
}
