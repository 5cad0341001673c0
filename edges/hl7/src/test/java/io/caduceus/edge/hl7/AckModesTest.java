package io.caduceus.edge.hl7;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every MSH-15 x MSH-16 combination, for each outcome, with and without an application-ACK destination for the sender:
 * what goes back on the originating connection (in order) and what is handed to the destination. Columns: the codes
 * on a connection without destination when the message is stored, quarantined with AE, quarantined with AR, and when
 * Caduceus could not store it; "-" is no answer at all.
 */
class AckModesTest {

    private static final CamelContext CONTEXT = new DefaultCamelContext();
    private static final ApplicationAckDestinations DESTINATIONS = ApplicationAckDestinations.parse("HIS^WITH=127.0.0.1:2576");

    @AfterAll
    static void closeContext() throws Exception {
        CONTEXT.close();
    }

    @ParameterizedTest(name = "MSH-15={0} MSH-16={1}: stored {2}, AE {3}, AR {4}, not stored {5}")
    @CsvSource({
        "AL, AL, CA AA,  CA AE,  CR AR,  CE",
        "AL, NE, CA,     CA,     CR,     CE",
        "AL, ER, CA,     CA AE,  CR AR,  CE",
        "AL, SU, CA AA,  CA,     CR,     CE",
        "AL, '', CA,     CA,     CR,     CE",
        "NE, AL, AA,     AE,     AR,     -",
        "NE, NE, -,      -,      -,      -",
        "NE, ER, -,      AE,     AR,     -",
        "NE, SU, AA,     -,      -,      -",
        "NE, '', -,      -,      -,      -",
        "ER, AL, AA,     AE,     CR AR,  CE",
        "ER, NE, -,      -,      CR,     CE",
        "ER, ER, -,      AE,     CR AR,  CE",
        "ER, SU, AA,     -,      CR,     CE",
        "ER, '', -,      -,      CR,     CE",
        "SU, AL, CA AA,  CA AE,  AR,     -",
        "SU, NE, CA,     CA,     -,      -",
        "SU, ER, CA,     CA AE,  AR,     -",
        "SU, SU, CA AA,  CA,     -,      -",
        "SU, '', CA,     CA,     -,      -",
        "'', AL, CA AA,  CA AE,  CR AR,  CE",
        "'', NE, CA,     CA,     CR,     CE",
        "'', ER, CA,     CA AE,  CR AR,  CE",
        "'', SU, CA AA,  CA,     CR,     CE",
        "'', '', AA,     AE,     AR,     AE"
    })
    void theConnectionGetsTheCommitAckThenTheApplicationAckUnlessTheSenderHasADestination(String msh15, String msh16,
            String stored, String error, String rejected, String notStored) {
        String[] outcomes = {"stored", "error", "rejected", "notStored"};
        String[] expected = {stored, error, rejected, notStored};
        boolean originalMode = msh15.isEmpty() && msh16.isEmpty();
        for (int i = 0; i < outcomes.length; i++) {
            String message = "MSH-15=" + msh15 + " MSH-16=" + msh16 + ", " + outcomes[i];
            assertThat(answer("WITHOUT", msh15, msh16, outcomes[i])).as(message + ", no destination").isEqualTo(expected[i]);

            // With a destination the connection keeps the commit acknowledgement; the application one goes there.
            List<String> codes = Arrays.asList(expected[i].split(" "));
            String onConnection = originalMode ? expected[i] : join(codes.stream().filter(c -> !c.startsWith("A")).toList());
            String toDestination = originalMode ? "-" : join(codes.stream().filter(c -> c.startsWith("A")).toList());
            assertThat(answer("WITH", msh15, msh16, outcomes[i])).as(message + ", destination").isEqualTo(onConnection);
            assertThat(tapped("WITH", msh15, msh16, outcomes[i])).as(message + ", to the destination").isEqualTo(toDestination);
        }
    }

    /** MSA-1 of each frame the originating connection gets, in order. */
    private static String answer(String facility, String msh15, String msh16, String outcome) {
        Exchange exchange = ingested(facility, msh15, msh16, outcome);
        Hl7Acknowledger acknowledger = new Hl7Acknowledger(new ApplicationAcknowledger(DESTINATIONS, ZoneOffset.UTC), ZoneOffset.UTC);
        switch (outcome) {
            case "stored" -> acknowledger.accepted(exchange);
            case "error", "rejected" -> acknowledger.rejected(exchange);
            default -> acknowledger.failed(exchange);
        }
        Object reply = exchange.getMessage().getBody();
        List<byte[]> frames = new ArrayList<>();
        if (reply instanceof byte[] frame) {
            frames.add(frame);
        } else if (reply instanceof List<?> list) {
            list.forEach(frame -> frames.add((byte[]) frame));
        }
        List<String> codes = new ArrayList<>();
        for (byte[] frame : frames) {
            String ack = new String(frame, StandardCharsets.ISO_8859_1);
            assertThat(ack).as("MSA-2 echoes MSH-10").contains("|MSG-7");
            String code = QuarantineAdmin.ackCode(ack);
            if (code.startsWith("A") && (!msh15.isEmpty() || !msh16.isEmpty())) {
                assertThat(ack.split("\r")[0]).as("an application ACK on the connection asks for nothing back").endsWith("|NE|NE");
            }
            codes.add(code);
        }
        return join(codes);
    }

    /** MSA-1 of what the wire tap would deliver to the sender's destination. */
    private static String tapped(String facility, String msh15, String msh16, String outcome) {
        Exchange exchange = ingested(facility, msh15, msh16, outcome);
        ApplicationAcknowledger acknowledger = new ApplicationAcknowledger(DESTINATIONS, ZoneOffset.UTC);
        if (!acknowledger.asked(exchange)) {
            return "-";
        }
        acknowledger.prepare(exchange);
        byte[] ack = exchange.getMessage().getBody(byte[].class);
        return ack == null ? "-" : QuarantineAdmin.ackCode(new String(ack, StandardCharsets.ISO_8859_1));
    }

    private static Exchange ingested(String facility, String msh15, String msh16, String outcome) {
        String message = "MSH|^~\\&|HIS|" + facility + "|CADUCEUS|HUB|20261125101500||ADT^A01^ADT_A01|MSG-7|P|2.5.1|||"
                + msh15 + "|" + msh16 + "\rPID|1||123\r";
        Exchange exchange = new DefaultExchange(CONTEXT);
        exchange.setProperty(IngestExchange.HEADER, MshHeader.read(message.getBytes(StandardCharsets.ISO_8859_1)));
        Exception caught = switch (outcome) {
            case "stored" -> null;
            case "error" -> new Hl7RejectedException(AckCode.Outcome.ERROR,
                    new Hl7Error(Hl7Error.DATA_TYPE_ERROR, "PID-7 is not a valid date/time", "PID", 1, 7, 1));
            case "rejected" -> new Hl7RejectedException(AckCode.Outcome.REJECTED,
                    new Hl7Error(Hl7Error.UNSUPPORTED_EVENT_CODE, "ADT^A99 is not supported", "MSH", 1, 9, 0));
            default -> new IOException("vault down");
        };
        if (caught != null) {
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, caught);
        }
        return exchange;
    }

    private static String join(List<String> codes) {
        return codes.isEmpty() ? "-" : String.join(" ", codes);
    }
}
