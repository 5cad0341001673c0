package io.caduceus.edge.hl7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApplicationAcknowledgerTest {

    private static final CamelContext CONTEXT = new DefaultCamelContext();
    private static final ApplicationAckDestinations DESTINATIONS =
            ApplicationAckDestinations.parse("HIS^HOSPITAL=127.0.0.1:2576, LAB^*=lab.example:6661, LAB^EAST=east.example:7000");

    @AfterAll
    static void closeContext() throws Exception {
        CONTEXT.close();
    }

    private static String message(String sender, String msh16, String version) {
        return "MSH|^~\\&|" + sender + "|CADUCEUS|HUB|20261125101500||ADT^A01^ADT_A01|MSG-42|P|" + version + "|||AL|" + msh16
                + "\rPID|1||123\r";
    }

    private static Exchange ingested(String message, Exception caught) {
        Exchange exchange = new DefaultExchange(CONTEXT);
        exchange.setProperty(IngestExchange.HEADER, MshHeader.read(message.getBytes(StandardCharsets.ISO_8859_1)));
        exchange.getMessage().setBody("MSH|^~\\&|CADUCEUS|HUB|HIS|HOSPITAL|...|MSA|CA|MSG-42\r".getBytes(StandardCharsets.ISO_8859_1));
        if (caught != null) {
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, caught);
        }
        return exchange;
    }

    private static String prepared(Exchange exchange) {
        new ApplicationAcknowledger(DESTINATIONS, ZoneOffset.UTC).prepare(exchange);
        byte[] ack = exchange.getMessage().getBody(byte[].class);
        return ack == null ? null : new String(ack, StandardCharsets.ISO_8859_1);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"AL, true", "ER, true", "SU, true", "NE, false", "'', false", "XX, false"})
    void onlyExchangesWhoseSenderAskedForApplicationAcksAreTapped(String msh16, boolean asked) {
        ApplicationAcknowledger acknowledger = new ApplicationAcknowledger(DESTINATIONS, ZoneOffset.UTC);
        org.assertj.core.api.Assertions.assertThat(acknowledger.asked(ingested(message("HIS|HOSPITAL", msh16, "2.5"), null)))
                .isEqualTo(asked);
        org.assertj.core.api.Assertions.assertThat(acknowledger.asked(new DefaultExchange(CONTEXT))).isFalse();
    }

    private static Exception outcome(String outcome) {
        return switch (outcome) {
            case "accepted" -> null;
            case "error" -> new Hl7RejectedException(AckCode.Outcome.ERROR,
                    new Hl7Error(Hl7Error.DATA_TYPE_ERROR, "PID-7 is not a valid date/time", "PID", 1, 7, 1));
            case "rejected" -> new Hl7RejectedException(AckCode.Outcome.REJECTED,
                    new Hl7Error(Hl7Error.UNSUPPORTED_EVENT_CODE, "ADT^A99 is not supported", "MSH", 1, 9, 0));
            default -> throw new IllegalArgumentException(outcome);
        };
    }

    @Test
    void anAcceptedMessageWithValuesLeftOutGetsAaWithAWarningPerValue() {
        Exchange exchange = ingested(message("HIS|HOSPITAL", "AL", "2.5.1"), null);
        exchange.setProperty(IngestExchange.WARNINGS, java.util.List.of(
                new Hl7Error(Hl7Error.DATA_TYPE_ERROR, "not an HL7 date/time", "RXA", 1, 16, 0, 1, 0, Hl7Error.Severity.W),
                new Hl7Error(Hl7Error.TABLE_VALUE_NOT_FOUND, "code not in the translation table", "PID", 1, 13, 2, 3, 0,
                        Hl7Error.Severity.W)));
        String ack = prepared(exchange);
        assertThat(ack).contains("\rMSA|AA|MSG-42\r")
                .contains("\rERR||RXA^1^16^1|102^Data type error^HL70357|W||||not an HL7 date/time\r")
                .endsWith("\rERR||PID^1^13^3^2|103^Table value not found^HL70357|W||||code not in the translation table\r");
    }

    @ParameterizedTest(name = "MSH-16={0}, {1}: {2}")
    @CsvSource({
        "AL, accepted, AA", "AL, error, AE", "AL, rejected, AR",
        "NE, accepted, ''", "NE, error, ''", "NE, rejected, ''",
        "ER, accepted, ''", "ER, error, AE", "ER, rejected, AR",
        "SU, accepted, AA", "SU, error, ''", "SU, rejected, ''",
        "'', accepted, ''", "'', rejected, ''", "XX, accepted, ''"
    })
    void sendsAnApplicationAckOnlyWhenMsh16AsksForItForThatOutcome(String msh16, String outcome, String expectedCode) {
        String ack = prepared(ingested(message("HIS|HOSPITAL", msh16, "2.5.1"), outcome(outcome)));
        if (expectedCode.isEmpty()) {
            assertThat(ack).isNull();
        } else {
            assertThat(ack).contains("\rMSA|" + expectedCode + "|MSG-42");
        }
    }

    @Test
    void theAckIsANewMessageToTheSenderThatAsksForItsCommitAck() {
        Exchange exchange = ingested(message("HIS|HOSPITAL", "AL", "2.5.1"), null);
        String ack = prepared(exchange);
        String[] msh = ack.split("\r")[0].split("\\|", -1);
        assertThat(msh[2]).as("MSH-3").isEqualTo("CADUCEUS");
        assertThat(msh[3]).as("MSH-4").isEqualTo("HUB");
        assertThat(msh[4]).as("MSH-5").isEqualTo("HIS");
        assertThat(msh[5]).as("MSH-6").isEqualTo("HOSPITAL");
        assertThat(msh[8]).as("MSH-9").isEqualTo("ACK^A01^ACK");
        assertThat(msh[9]).as("MSH-10, a control id of its own").startsWith("CAD").isNotEqualTo("MSG-42");
        assertThat(msh[11]).as("MSH-12").isEqualTo("2.5.1");
        assertThat(msh[14]).as("MSH-15").isEqualTo("AL");
        assertThat(msh[15]).as("MSH-16").isEqualTo("NE");
        assertThat(ack.split("\r")).hasSize(2).endsWith("MSA|AA|MSG-42");
        assertThat(exchange.getProperty(IngestExchange.APPLICATION_ACK_DESTINATION))
                .isEqualTo(new ApplicationAckDestinations.Destination("127.0.0.1", 2576));
        assertThat(exchange.getProperty(IngestExchange.APPLICATION_ACK_SENDER)).isEqualTo("HIS^HOSPITAL");
    }

    @Test
    void errorsCarryTheErrSegmentInTheLayoutOfTheSendersVersion() {
        String v25 = prepared(ingested(message("HIS|HOSPITAL", "ER", "2.5.1"), outcome("error")));
        assertThat(v25).contains("\rMSA|AE|MSG-42|PID-7 is not a valid date/time\r")
                .contains("\rERR||PID^1^7^1^1|102^Data type error^HL70357|E||||PID-7 is not a valid date/time\r");

        String v23 = prepared(ingested(message("HIS|HOSPITAL", "AL", "2.3"), outcome("rejected")));
        assertThat(v23.split("\r")[0]).contains("|ACK^A01^ACK|").contains("|P|2.3|||AL|NE");
        assertThat(v23).contains("\rMSA|AR|MSG-42|ADT\\S\\A99 is not supported\r")
                .contains("\rERR|MSH^1^9^201&Unsupported event code&HL70357\r");
    }

    @Test
    void aMessageCaduceusCouldNotStoreGetsNoApplicationAckItsSenderResendsIt() {
        assertThat(prepared(ingested(message("HIS|HOSPITAL", "AL", "2.5.1"), new IOException("vault down")))).isNull();
    }

    @Test
    void originalModeAndReprocessingGetNoApplicationAck() {
        String originalMode = "MSH|^~\\&|HIS|HOSPITAL|CADUCEUS|HUB|20261125101500||ADT^A01|MSG-42|P|2.5.1\r";
        assertThat(prepared(ingested(originalMode, null))).isNull();

        Exchange reprocessed = ingested(message("HIS|HOSPITAL", "AL", "2.5.1"), null);
        reprocessed.setProperty(QuarantineAdmin.REPROCESSING, "q-1");
        assertThat(prepared(reprocessed)).isNull();
    }

    @Test
    void aSenderWithoutDestinationIsNotTappedItsAckGoesOnTheConnection() {
        ApplicationAcknowledger acknowledger = new ApplicationAcknowledger(DESTINATIONS, ZoneOffset.UTC);
        Exchange exchange = ingested(message("RIS^1.2.3^ISO|RADIOLOGY", "AL", "2.5.1"), null);
        assertThat(acknowledger.asked(exchange)).isFalse();
        acknowledger.prepare(exchange);
        assertThat(exchange.getMessage().getBody()).isNull();
        assertThat(exchange.getProperty(IngestExchange.APPLICATION_ACK_DESTINATION)).isNull();

        MshHeader header = exchange.getProperty(IngestExchange.HEADER, MshHeader.class);
        String ack = new String(acknowledger.forConnection(exchange, header, AckCode.Outcome.ACCEPTED, java.util.Optional.empty())
                .orElseThrow(), StandardCharsets.ISO_8859_1);
        assertThat(ack.split("\r")[0]).as("asks for no acknowledgement back on that connection").endsWith("|P|2.5.1|||NE|NE");
        assertThat(ack).endsWith("\rMSA|AA|MSG-42\r");
        Exchange withDestination = ingested(message("HIS|HOSPITAL", "AL", "2.5.1"), null);
        assertThat(acknowledger.forConnection(withDestination, withDestination.getProperty(IngestExchange.HEADER, MshHeader.class),
                AckCode.Outcome.ACCEPTED, java.util.Optional.empty())).isEmpty();
    }

    @Test
    void destinationsMatchTheExactFacilityFirstThenTheWildcard() {
        assertThat(DESTINATIONS.forSender("LAB", "EAST")).contains(new ApplicationAckDestinations.Destination("east.example", 7000));
        assertThat(DESTINATIONS.forSender("LAB", "WEST")).contains(new ApplicationAckDestinations.Destination("lab.example", 6661));
        assertThat(DESTINATIONS.forSender("HIS", "CLINIC")).isEmpty();
        assertThat(DESTINATIONS.forSender("his", "HOSPITAL")).as("ids are case sensitive, as in HL7").isEmpty();
        assertThat(ApplicationAckDestinations.parse("").isEmpty()).isTrue();
        assertThat(ApplicationAckDestinations.parse("A^B=[::1]:2576").forSender("A", "B"))
                .contains(new ApplicationAckDestinations.Destination("::1", 2576));
    }

    @Test
    void aMalformedDestinationStopsTheStartNamingTheOption() {
        for (String bad : new String[] {"HIS=host:1", "HIS^HOSPITAL=host", "HIS^HOSPITAL=host:x", "HIS^HOSPITAL=host:70000",
                "^HOSPITAL=host:1", "HIS^H=a:1,HIS^H=b:2"}) {
            assertThatThrownBy(() -> ApplicationAckDestinations.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(ApplicationAckDestinations.PROPERTY);
        }
    }
}
