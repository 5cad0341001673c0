package io.caduceus.edge.hl7;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Hl7AckBuilderTest {

    private static final ZonedDateTime NOW = ZonedDateTime.of(2026, 11, 25, 10, 15, 30, 0, ZoneOffset.UTC);

    private static String ack(String message, AckCode code, Optional<Hl7Error> error) {
        MshHeader header = MshHeader.read(message.getBytes(StandardCharsets.ISO_8859_1));
        return new String(Hl7AckBuilder.build(header, code, error, NOW, "ACK1"), StandardCharsets.ISO_8859_1);
    }

    @Test
    void swapsSenderAndReceiverAndEchoesTheControlId() {
        String ack = ack("MSH|^~\\&|HIS|GENERAL^1.2.3^ISO|CADUCEUS|HUB|20261125101500||ADT^A01^ADT_A01|MSG-42|P|2.5.1\rPID|1||123\r",
                AckCode.AA, Optional.empty());
        assertThat(ack.split("\r")).containsExactly(
                "MSH|^~\\&|CADUCEUS|HUB|HIS|GENERAL^1.2.3^ISO|20261125101530.000+0000||ACK^A01^ACK|ACK1|P|2.5.1",
                "MSA|AA|MSG-42");
    }

    @Test
    void writesTheAckInTheSendersOwnDelimiters() {
        String ack = ack("MSH#@~\\&#LAB#FAC#APP#HUB#20261125##ORU@R01#7#T#2.4\r", AckCode.AA, Optional.empty());
        assertThat(ack).startsWith("MSH#@~\\&#APP#HUB#LAB#FAC#").contains("#ACK@R01@ACK#ACK1#T#2.4\r").contains("MSA#AA#7\r");
    }

    @Test
    void errorsUseTheErrLayoutOfVersionTwoFiveAndLater() {
        String ack = ack("MSH|^~\\&|HIS|FAC|C|H|20261125||ADT^A01|9|P|2.5.1\r", AckCode.AE,
                Optional.of(new Hl7Error(Hl7Error.DATA_TYPE_ERROR, "PID-7 is not a valid date/time", "PID", 1, 7, 1)));
        assertThat(ack).contains("MSA|AE|9|PID-7 is not a valid date/time\r")
                .contains("ERR||PID^1^7^1^1|102^Data type error^HL70357|E||||PID-7 is not a valid date/time\r");
    }

    @Test
    void errorsUseTheElementLocationOfOlderVersions() {
        String ack = ack("MSH|^~\\&|HIS|FAC|C|H|20261125||ADT^A01|9|P|2.3\r", AckCode.AR,
                Optional.of(new Hl7Error(Hl7Error.UNSUPPORTED_EVENT_CODE, "ADT^A99 is not supported", "MSH", 1, 9, 0)));
        assertThat(ack).contains("MSA|AR|9|ADT\\S\\A99 is not supported\r").contains("ERR|MSH^1^9^201&Unsupported event code&HL70357\r");
    }

    @Test
    void anErrorWithoutKnownPositionStillGivesAWellFormedAck() {
        String ack = ack("MSH|^~\\&|HIS|FAC|C|H|20261125||ADT^A01|9|P|2.5.1\r", AckCode.AE,
                Optional.of(new Hl7Error(Hl7Error.DATA_TYPE_ERROR, null, null, 0, 0, 0)));
        assertThat(ack).contains("MSA|AE|9|message rejected\r").contains("ERR|||102^Data type error^HL70357|E").doesNotContain("null");
        assertThat(Hl7Quarantine.location(new Hl7Error(Hl7Error.DATA_TYPE_ERROR, null, null, 0, 0, 0))).isEqualTo("message");
    }

    @Test
    void escapesDelimitersInTextItWrites() {
        MshHeader header = MshHeader.read("MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\r".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(Hl7AckBuilder.escape("a|b^c~d\\e&f\rg", header)).isEqualTo("a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f g");
    }

    @Test
    void answersEvenAMessageWithoutReadableHeader() {
        String ack = ack("garbage without MSH", AckCode.AR,
                Optional.of(Hl7Error.message(Hl7Error.SEGMENT_SEQUENCE_ERROR, "message does not start with an MSH segment")));
        assertThat(ack).startsWith("MSH|^~\\&|").contains("MSA|AR||message does not start with an MSH segment");
    }

    @ParameterizedTest(name = "MSH-15={0}, commit {1}: send={2}")
    @CsvSource({
        "AL, CA, true", "AL, CE, true", "NE, CA, false", "NE, CR, false", "ER, CA, false", "ER, CE, true",
        "ER, CR, true", "SU, CA, true", "SU, CR, false", "SU, CE, false", "'', CA, true"
    })
    void enhancedModeSendsTheCommitAckOnlyWhenMsh15AsksForIt(String msh15, AckCode commitCode, boolean send) {
        assertThat(AckModes.commitAckDue(msh15, commitCode)).isEqualTo(send);
    }

    @ParameterizedTest(name = "{0}, committed={1}: {2}")
    @CsvSource({
        "ACCEPTED, true, CA", "ERROR, true, CA", "ERROR, false, CE", "REJECTED, true, CR", "REJECTED, false, CR"
    })
    void aQuarantinedMessageIsCommittedSoItsCommitAckIsCa(AckCode.Outcome outcome, boolean committed, AckCode code) {
        assertThat(AckCode.commitMode(outcome, committed)).isEqualTo(code);
    }

    @Test
    void readsEnhancedModeFieldsAndTolerantHeaders() {
        MshHeader header = MshHeader.read("\r\nMSH|^~\\&|HIS|FAC|C|H|20261125||ORU^R01^ORU_R01|77|P^T|2.8|||AL|NE\nPID|1\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(header.enhancedMode()).isTrue();
        assertThat(header.acceptAckType()).isEqualTo("AL");
        assertThat(header.applicationAckType()).isEqualTo("NE");
        assertThat(header.processingId()).isEqualTo("P");
        assertThat(header.triggerEvent()).isEqualTo("R01");
        assertThat(header.controlId()).isEqualTo("77");
        assertThat(MshHeader.read("PID|1".getBytes(StandardCharsets.ISO_8859_1))).isSameAs(MshHeader.UNREADABLE);
        assertThat(MshHeader.read("MSHA".getBytes(StandardCharsets.ISO_8859_1))).isSameAs(MshHeader.UNREADABLE);
    }
}
