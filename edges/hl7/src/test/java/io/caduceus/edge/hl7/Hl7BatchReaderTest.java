package io.caduceus.edge.hl7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class Hl7BatchReaderTest {

    static final String FHS = "FHS|^~\\&|REGISTRY|STATE|CADUCEUS|HUB|20261207101500||||F-77|";
    static final String BHS = "BHS|^~\\&|REGISTRY|STATE|CADUCEUS|HUB|20261207101500||||B-12|";

    static String message(String controlId) {
        return "MSH|^~\\&|REGISTRY|STATE|CADUCEUS|HUB|20261207101500||ADT^A04^ADT_A01|" + controlId + "|P|2.5.1\r"
                + "EVN|A04|20261207101500\r"
                + "PID|1||MRN-" + controlId + "^^^STATE^MR||Doe^Jane||19700101|F\r";
    }

    static String file(String... segmentsOrMessages) {
        return String.join("", segmentsOrMessages);
    }

    private static List<String> messages(Hl7Batch batch) {
        return batch.batches().stream().flatMap(b -> b.messages().stream())
                .map(m -> new String(m, StandardCharsets.ISO_8859_1)).toList();
    }

    private static Hl7Batch read(String text) throws Exception {
        return Hl7BatchReader.read(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * name, input, expected messages (control ids), whether FHS was read, the BTS notes and the FTS notes expected.
     */
    static Stream<Arguments> batches() {
        String m1 = message("M1");
        String m2 = message("M2");
        String m3 = message("M3");
        return Stream.of(
                Arguments.of("FHS, BHS, BTS, FTS", file(FHS + "\r", BHS + "\r", m1, m2, m3, "BTS|3\r", "FTS|1\r"),
                        List.of("M1", "M2", "M3"), true, List.of(), List.of()),
                Arguments.of("bare BHS..BTS", file(BHS + "\r", m1, m2, "BTS|2\r"), List.of("M1", "M2"), false, List.of(),
                        List.of()),
                Arguments.of("LF line ends", file(FHS + "\n", BHS + "\n", m1.replace('\r', '\n'), m2.replace('\r', '\n'),
                        "BTS|2\n", "FTS|1\n"), List.of("M1", "M2"), true, List.of(), List.of()),
                Arguments.of("CRLF line ends", file(BHS + "\r\n", m1.replace("\r", "\r\n"), "BTS|1\r\n"), List.of("M1"),
                        false, List.of(), List.of()),
                Arguments.of("empty batch", file(BHS + "\r", "BTS|0\r"), List.of(), false, List.of(), List.of()),
                Arguments.of("BTS count mismatch", file(BHS + "\r", m1, m2, "BTS|3\r"), List.of("M1", "M2"), false,
                        List.of("BTS-1 says 3 messages, 2 received"), List.of()),
                Arguments.of("missing BTS and FTS", file(FHS + "\r", BHS + "\r", m1, m2), List.of("M1", "M2"), true,
                        List.of("no BTS: batch trailer missing"), List.of("no FTS: file trailer missing")),
                Arguments.of("trailing garbage after FTS", file(FHS + "\r", BHS + "\r", m1, "BTS|1\r", "FTS|1\r",
                        "end of transmission\r\n\r\n##\r"), List.of("M1"), true, List.of(), List.of("2 lines after FTS skipped")),
                Arguments.of("garbage after the last message, no trailer", file(BHS + "\r", m1, "-- end --\r"),
                        List.of("M1"), false, List.of("no BTS: batch trailer missing", "1 line outside any message skipped"),
                        List.of()),
                Arguments.of("bare messages, no envelope", file(m1, m2), List.of("M1", "M2"), false, List.of(),
                        List.of()),
                Arguments.of("FHS and messages, no BHS (both optional)", file(FHS + "\r", m1, "FTS|1\r"), List.of("M1"),
                        true, List.of(), List.of()),
                Arguments.of("two batches in one file", file(FHS + "\r", BHS + "\r", m1, "BTS|1\r", BHS.replace("B-12", "B-13")
                        + "\r", m2, m3, "BTS|2\r", "FTS|2\r"), List.of("M1", "M2", "M3"), true, List.of(), List.of()),
                Arguments.of("FTS count mismatch", file(FHS + "\r", BHS + "\r", m1, "BTS|1\r", "FTS|3\r"), List.of("M1"),
                        true, List.of(), List.of("FTS-1 says 3 batches, 1 received")),
                Arguments.of("byte order mark and blank lines", file("\u00EF\u00BB\u00BF\r\n\r\n" + BHS + "\r\r", m1,
                        "\r\n", m2, "BTS|2\r"), List.of("M1", "M2"), false, List.of(), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batches")
    void splitsEachMessageAndChecksTheEnvelope(String name, String input, List<String> controlIds, boolean fileHeader,
            List<String> batchNotes, List<String> fileNotes) throws Exception {
        Hl7Batch batch = read(input);

        List<String> messages = messages(batch);
        assertThat(messages).hasSize(controlIds.size());
        for (int i = 0; i < messages.size(); i++) {
            // Each message exactly as it would come alone over MLLP: its segments ended with CR, nothing else.
            assertThat(messages.get(i)).isEqualTo(message(controlIds.get(i)));
        }
        assertThat(batch.fileHeader() != null).isEqualTo(fileHeader);
        assertThat(batch.batches().get(batch.batches().size() - 1).notes()).isEqualTo(batchNotes);
        assertThat(batch.notes()).isEqualTo(fileNotes);
    }

    @Test
    void keepsTheHeadersTheAcknowledgementRefersTo() throws Exception {
        Hl7Batch batch = read(file(FHS + "\n", BHS + "\n", message("M1").replace('\r', '\n'), "BTS|1\n", "FTS|1\n"));

        assertThat(batch.fileHeader().controlId()).isEqualTo("F-77");
        assertThat(batch.fileHeader().field(3)).isEqualTo("REGISTRY");
        assertThat(batch.fileHeader().field(6)).isEqualTo("HUB");
        assertThat(batch.batches().get(0).header().controlId()).isEqualTo("B-12");
        assertThat(batch.batches().get(0).trailer()).isEqualTo("1");
        assertThat(batch.fileTrailer()).isEqualTo("1");
        assertThat(batch.lineEnd()).isEqualTo("\n");
    }

    @Test
    void aBadMessageInTheMiddleIsPassedOnAsItIsForIngestToJudge() throws Exception {
        // A message whose PID is broken by a line of garbage between two segments: the parser refuses it, as it would
        // refuse it alone, so the reader must not repair it; the messages around it are untouched.
        String bad = "MSH|^~\\&|REGISTRY|STATE|CADUCEUS|HUB|20261207101500||ADT^A04^ADT_A01|BAD|P|2.5.1\r"
                + "this line is no segment\r"
                + "PID|1||MRN-BAD^^^STATE^MR||Doe^Jane||19700101|F\r";
        Hl7Batch batch = read(file(BHS + "\r", message("M1"), bad, message("M3"), "BTS|3\r"));

        assertThat(messages(batch)).containsExactly(message("M1"), bad, message("M3"));
        assertThat(batch.batches().get(0).notes()).isEmpty();
    }

    @Test
    void zSegmentsStayWithTheirMessageAndLookAlikesDoNotEndABatch() throws Exception {
        String withZ = message("M1") + "ZPI|1|custom^value\r" + "ZBT|not a trailer\r" + "BTSX|not a trailer either\r";
        Hl7Batch batch = read(file(BHS + "\r", withZ, message("M2"), "BTS|2\r"));

        // BTSX is no segment id (four letters): a non-segment line after the last segment is dropped as garbage.
        assertThat(messages(batch)).containsExactly(message("M1") + "ZPI|1|custom^value\r" + "ZBT|not a trailer\r",
                message("M2"));
        assertThat(batch.batches()).hasSize(1);
        assertThat(batch.batches().get(0).notes()).containsExactly("1 line outside any message skipped");
    }

    @Test
    void otherDelimitersAreReadFromEachHeader() throws Exception {
        String bhs = "BHS#$~\\&#REGISTRY#STATE#CADUCEUS#HUB#20261207101500####B-9#";
        String msg = "MSH#$~\\&#REGISTRY#STATE#CADUCEUS#HUB#20261207101500##ADT$A04#X1#P#2.5.1\rPID#1##MRN$$$STATE\r";
        Hl7Batch batch = read(file(bhs + "\r", msg, "BTS#1\r"));

        assertThat(batch.batches().get(0).header().fieldSeparator()).isEqualTo('#');
        assertThat(batch.batches().get(0).header().controlId()).isEqualTo("B-9");
        assertThat(messages(batch)).containsExactly(msg);
        assertThat(batch.batches().get(0).notes()).isEmpty();
    }

    @Test
    void messageBytesAreKeptWhateverTheirCharset() throws Exception {
        byte[] utf8 = message("U1").replace("Doe^Jane", "Müller^Zoë").getBytes(StandardCharsets.UTF_8);
        byte[] input = (BHS + "\r" + new String(utf8, StandardCharsets.ISO_8859_1) + "BTS|1\r")
                .getBytes(StandardCharsets.ISO_8859_1);

        assertThat(Hl7BatchReader.read(input).batches().get(0).messages().get(0)).isEqualTo(utf8);
    }

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {"", "   \r\n", "Hello, this is not HL7\rMSH|^~\\&|A|B\r", "PID|1||X\r", "BHS1^~\\&|X\r",
            "BHS|||X\r", "BHS|^^\\&|X\rMSH|^~\\&|A\r", "FHS\r"})
    void anEnvelopeThatCannotBeReadIsRefusedWhole(String input) {
        assertThatThrownBy(() -> read(input)).isInstanceOf(Hl7BatchReader.UnreadableBatchException.class)
                .satisfies(e -> assertThat(((Hl7BatchReader.UnreadableBatchException) e).error().code())
                        .isIn(Hl7Error.SEGMENT_SEQUENCE_ERROR, Hl7Error.DATA_TYPE_ERROR));
    }

    @Test
    void tellsABatchFromAMessage() {
        assertThat(Hl7BatchReader.startsAsBatch((FHS + "\r").getBytes(StandardCharsets.ISO_8859_1))).isTrue();
        assertThat(Hl7BatchReader.startsAsBatch(("\r\n" + BHS + "\r").getBytes(StandardCharsets.ISO_8859_1))).isTrue();
        assertThat(Hl7BatchReader.startsAsBatch(message("M1").getBytes(StandardCharsets.ISO_8859_1))).isFalse();
        assertThat(Hl7BatchReader.startsAsBatch("BHSX|".getBytes(StandardCharsets.ISO_8859_1))).isFalse();
        assertThat(Hl7BatchReader.startsAsBatch("BH".getBytes(StandardCharsets.ISO_8859_1))).isFalse();
    }
}
