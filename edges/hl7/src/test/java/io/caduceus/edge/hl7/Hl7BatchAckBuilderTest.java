package io.caduceus.edge.hl7;

import static io.caduceus.edge.hl7.Hl7BatchReaderTest.BHS;
import static io.caduceus.edge.hl7.Hl7BatchReaderTest.FHS;
import static io.caduceus.edge.hl7.Hl7BatchReaderTest.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class Hl7BatchAckBuilderTest {

    private static final ZonedDateTime NOW = ZonedDateTime.of(2026, 12, 7, 10, 15, 0, 0, ZoneOffset.UTC);
    private static final String STAMP = "20261207101500.000+0000";

    private static Supplier<String> ids() {
        AtomicInteger next = new AtomicInteger();
        return () -> "ACKB-" + next.incrementAndGet();
    }

    /** The ACK ingest writes for a message alone, in original mode. */
    private static byte[] ack(String controlId, AckCode code, List<Hl7Error> errors) {
        MshHeader header = MshHeader.read(message(controlId).getBytes(StandardCharsets.ISO_8859_1));
        return Hl7AckBuilder.build(header, code, errors, NOW, "A-" + controlId);
    }

    private static byte[] aa(String controlId) {
        return ack(controlId, AckCode.AA, List.of());
    }

    private static List<String> segments(byte[] ack, String lineEnd) {
        String text = new String(ack, StandardCharsets.ISO_8859_1);
        assertThat(text).endsWith(lineEnd);
        return List.of(text.split(java.util.regex.Pattern.quote(lineEnd)));
    }

    /** name, input, the ACK of each message, the segments expected (MSH lines by prefix). */
    static Stream<Arguments> batches() {
        Hl7Error badPid = new Hl7Error(Hl7Error.REQUIRED_FIELD_MISSING, "PID-3 missing", "PID", 1, 3, 1);
        return Stream.of(
                Arguments.of("with FHS: FHS, BHS, an ACK per message, BTS, FTS",
                        FHS + "\r" + BHS + "\r" + message("M1") + message("M2") + "BTS|2\rFTS|1\r",
                        List.of(aa("M1"), aa("M2")),
                        List.of("FHS|^~\\&|CADUCEUS|HUB|REGISTRY|STATE|" + STAMP + "||||ACKB-1|F-77",
                                "BHS|^~\\&|CADUCEUS|HUB|REGISTRY|STATE|" + STAMP + "||||ACKB-2|B-12",
                                "MSH|", "MSA|AA|M1", "MSH|", "MSA|AA|M2", "BTS|2", "FTS|1"), "\r"),
                Arguments.of("without FHS: BHS..BTS only",
                        BHS + "\r" + message("M1") + "BTS|1\r", List.of(aa("M1")),
                        List.of("BHS|^~\\&|CADUCEUS|HUB|REGISTRY|STATE|" + STAMP + "||||ACKB-1|B-12", "MSH|", "MSA|AA|M1",
                                "BTS|1"), "\r"),
                Arguments.of("LF line ends are answered with LF",
                        (BHS + "\r" + message("M1") + "BTS|1\r").replace('\r', '\n'), List.of(aa("M1")),
                        List.of("BHS|^~\\&|CADUCEUS|HUB|REGISTRY|STATE|" + STAMP + "||||ACKB-1|B-12", "MSH|", "MSA|AA|M1",
                                "BTS|1"), "\n"),
                Arguments.of("a bad message in the middle: its AE and ERR between two AA",
                        BHS + "\r" + message("M1") + message("M2") + message("M3") + "BTS|3\r",
                        List.of(aa("M1"), ack("M2", AckCode.AE, List.of(badPid)), aa("M3")),
                        List.of("BHS|^~\\&|CADUCEUS|HUB|REGISTRY|STATE|" + STAMP + "||||ACKB-1|B-12", "MSH|", "MSA|AA|M1",
                                "MSH|", "MSA|AE|M2|PID-3 missing",
                                "ERR||PID^1^3^1^1|101^Required field missing^HL70357|E||||PID-3 missing",
                                "MSH|", "MSA|AA|M3", "BTS|3"), "\r"),
                Arguments.of("empty batch: BTS-1 0",
                        BHS + "\rBTS|0\r", List.of(),
                        List.of("BHS|^~\\&|CADUCEUS|HUB|REGISTRY|STATE|" + STAMP + "||||ACKB-1|B-12", "BTS|0"), "\r"),
                Arguments.of("BTS count mismatch: BTS-1 counts what was answered, BTS-2 says so",
                        BHS + "\r" + message("M1") + "BTS|4\r", List.of(aa("M1")),
                        List.of("BHS|^~\\&|CADUCEUS|HUB|REGISTRY|STATE|" + STAMP + "||||ACKB-1|B-12", "MSH|", "MSA|AA|M1",
                                "BTS|1|BTS-1 says 4 messages, 1 received"), "\r"),
                Arguments.of("Z-segments in the input change nothing in the answer",
                        BHS + "\r" + message("M1") + "ZPI|1|x^y\r" + "BTS|1\r", List.of(aa("M1")),
                        List.of("BHS|^~\\&|CADUCEUS|HUB|REGISTRY|STATE|" + STAMP + "||||ACKB-1|B-12", "MSH|", "MSA|AA|M1",
                                "BTS|1"), "\r"),
                Arguments.of("bare messages get a BHS/BTS of their own",
                        message("M1") + message("M2"), List.of(aa("M1"), aa("M2")),
                        List.of("BHS|^~\\&|||||" + STAMP + "||||ACKB-1|", "MSH|", "MSA|AA|M1", "MSH|", "MSA|AA|M2", "BTS|2"),
                        "\r"),
                Arguments.of("missing trailers are named in BTS-2 and FTS-2, escaped in the header's delimiters",
                        FHS.replace('|', '#') + "\r" + BHS.replace('|', '#') + "\r" + message("M1"), List.of(aa("M1")),
                        List.of("FHS#^~\\&#CADUCEUS#HUB#REGISTRY#STATE#" + STAMP + "####ACKB-1#F-77",
                                "BHS#^~\\&#CADUCEUS#HUB#REGISTRY#STATE#" + STAMP + "####ACKB-2#B-12", "MSH|", "MSA|AA|M1",
                                "BTS#1#no BTS: batch trailer missing", "FTS#1#no FTS: file trailer missing"), "\r"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batches")
    void answersEveryMessageInABatchLikeTheInput(String name, String input, List<byte[]> acks, List<String> expected,
            String lineEnd) throws Exception {
        Hl7Batch batch = Hl7BatchReader.read(input.getBytes(StandardCharsets.ISO_8859_1));

        List<String> segments = segments(Hl7BatchAckBuilder.build(batch, acks, NOW, ids()), lineEnd);

        assertThat(segments).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i).equals("MSH|")) {
                assertThat(segments.get(i)).startsWith("MSH|^~\\&|CADUCEUS|HUB|REGISTRY|STATE|").contains("|ACK^A04^ACK|");
            } else {
                assertThat(segments.get(i)).isEqualTo(expected.get(i));
            }
        }
        List<String> msa = new ArrayList<>(segments.stream().filter(s -> s.startsWith("MSA")).toList());
        assertThat(msa).as("one ACK per message").hasSize(batch.messageCount());
    }

    @Test
    void eachAckIsTheOneTheMessageGetsAlone() throws Exception {
        byte[] alone = ack("M2", AckCode.AE, List.of(new Hl7Error(Hl7Error.DATA_TYPE_ERROR, "bad date", "PID", 1, 7, 0)));
        Hl7Batch batch = Hl7BatchReader.read((BHS + "\r" + message("M1") + message("M2") + "BTS|2\r")
                .getBytes(StandardCharsets.ISO_8859_1));

        String answer = new String(Hl7BatchAckBuilder.build(batch, List.of(aa("M1"), alone), NOW, ids()),
                StandardCharsets.ISO_8859_1);

        assertThat(answer).contains(new String(alone, StandardCharsets.ISO_8859_1));
    }

    @Test
    void theCountOfAcknowledgementsMustMatchTheMessages() throws Exception {
        Hl7Batch batch = Hl7BatchReader.read((BHS + "\r" + message("M1") + "BTS|1\r").getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> Hl7BatchAckBuilder.build(batch, List.of(), NOW, ids()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRefusedBatchIsAnsweredWithABatchHoldingItsAr() {
        byte[] ar = Hl7AckBuilder.build(MshHeader.UNREADABLE, AckCode.AR, List.of(Hl7Error.message(
                Hl7Error.SEGMENT_SEQUENCE_ERROR, "batch does not start with an FHS, BHS or MSH segment")), NOW, "A-1");

        List<String> segments = segments(Hl7BatchAckBuilder.refused(ar, NOW, "ACKB-9", "batch refused, not processed"), "\r");

        assertThat(segments.get(0)).isEqualTo("BHS|^~\\&|||||" + STAMP + "||||ACKB-9|");
        assertThat(segments).anyMatch(s -> s.startsWith("MSA|AR|"))
                .anyMatch(s -> s.startsWith("ERR|||100^Segment sequence error^HL70357|E"));
        assertThat(segments.get(segments.size() - 1)).isEqualTo("BTS|1|batch refused, not processed");
    }
}
