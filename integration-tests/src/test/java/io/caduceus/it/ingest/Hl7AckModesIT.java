package io.caduceus.it.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.Connection;
import ca.uhn.hl7v2.app.Initiator;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.Hl7Messages;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.MllpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Every MSH-15 x MSH-16 combination, for a message that is stored, one quarantined with AE (its MSH-10 reused with
 * other content) and one refused with AR (an unsupported trigger event), sent by a sender with no application-ACK
 * destination: exactly which acknowledgements come back on the connection, in which order, each naming the message's
 * MSH-10, and the connection answering its next message afterwards.
 *
 * <p>Each case is sent twice. Once on a plain MLLP socket followed at once by an original-mode message: answers on a
 * connection come in order, so every frame before that message's AA is an answer to the case, and "nothing" is proven
 * without waiting for a timeout. Once with HAPI's own client: {@code Initiator#sendAndReceive} waits for one answer
 * whose MSA-2 is the message's MSH-10 (and times out when none is due). HAPI has one response per request: when two
 * are due (commit ACK, then application ACK), its receiver hands each to the waiting request while the request is
 * registered, and the last one handed over before the waiting thread wakes is returned; one arriving after that is
 * logged by HAPI's {@code Receiver} as an unexpected acknowledgement and dropped (before HAPI reads the next frame),
 * which is how the test sees it. So a HAPI sender asking for both gets either of them, never both.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Hl7AckModesIT {

    /** How long HAPI's client waits when the modes say nothing comes back. */
    private static final long NOTHING_DUE_MILLIS = 1_500;
    private static final long ANSWER_DUE_MILLIS = 20_000;
    private static final List<String> MODES = List.of("AL", "NE", "ER", "SU", "");
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36).toUpperCase();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @TempDir
    static Path work;

    private InProcessMiddleware middleware;
    private HapiContext hapi;
    private final ListAppender<ILoggingEvent> hapiReceiverLog = new ListAppender<>();
    private Logger hapiReceiver;

    @BeforeAll
    void start() throws Exception {
        middleware = InProcessMiddleware.start(work, Map.of("caduceus.kafka.topic.ledger-entries", "it.ackmodes.ledger-entries." + System.nanoTime(),
                "caduceus.kafka.topic.quarantine", "it.ackmodes.quarantine." + System.nanoTime()));
        // Any version parses into 2.8.1 structures; HAPI's validation would judge the test's messages, not Caduceus.
        hapi = new DefaultHapiContext(new CanonicalModelClassFactory("2.8.1"));
        hapi.setValidationContext(ValidationContextFactory.noValidation());
        hapiReceiver = (Logger) LoggerFactory.getLogger("ca.uhn.hl7v2.app.Receiver");
        hapiReceiver.setLevel(Level.DEBUG);
        hapiReceiverLog.start();
        hapiReceiver.addAppender(hapiReceiverLog);
    }

    @AfterAll
    void stop() throws Exception {
        if (hapiReceiver != null) {
            hapiReceiver.detachAppender(hapiReceiverLog);
        }
        if (hapi != null) {
            hapi.close();
        }
        if (middleware != null) {
            middleware.close();
        }
    }

    /** What the connection gets, in order, for MSH-15, MSH-16 and the outcome; empty when nothing is due. */
    static Stream<Arguments> matrix() {
        // HL7 v2 chapter 2, as the README states it. Commit ACK: CA once stored (quarantine included), CR for a
        // message Caduceus will not accept; MSH-15 AL/empty always, NE never, ER only CE/CR, SU only CA.
        // Application ACK: MSH-16 AL always, ER on AE/AR, SU on AA, NE/empty never. Both empty: original mode.
        String[][] table = {
            // MSH-15, MSH-16, stored,  quarantined AE, refused AR
            {"AL", "AL", "CA AA", "CA AE", "CR AR"},
            {"AL", "NE", "CA", "CA", "CR"},
            {"AL", "ER", "CA", "CA AE", "CR AR"},
            {"AL", "SU", "CA AA", "CA", "CR"},
            {"AL", "", "CA", "CA", "CR"},
            {"NE", "AL", "AA", "AE", "AR"},
            {"NE", "NE", "", "", ""},
            {"NE", "ER", "", "AE", "AR"},
            {"NE", "SU", "AA", "", ""},
            {"NE", "", "", "", ""},
            {"ER", "AL", "AA", "AE", "CR AR"},
            {"ER", "NE", "", "", "CR"},
            {"ER", "ER", "", "AE", "CR AR"},
            {"ER", "SU", "AA", "", "CR"},
            {"ER", "", "", "", "CR"},
            {"SU", "AL", "CA AA", "CA AE", "AR"},
            {"SU", "NE", "CA", "CA", ""},
            {"SU", "ER", "CA", "CA AE", "AR"},
            {"SU", "SU", "CA AA", "CA", ""},
            {"SU", "", "CA", "CA", ""},
            {"", "AL", "CA AA", "CA AE", "CR AR"},
            {"", "NE", "CA", "CA", "CR"},
            {"", "ER", "CA", "CA AE", "CR AR"},
            {"", "SU", "CA AA", "CA", "CR"},
            {"", "", "AA", "AE", "AR"},
        };
        assertThat(Arrays.stream(table).map(row -> row[0] + "/" + row[1]).distinct().count()).isEqualTo(MODES.size() * MODES.size());
        List<Arguments> cases = new ArrayList<>();
        for (String[] row : table) {
            for (Outcome outcome : Outcome.values()) {
                cases.add(Arguments.of(row[0], row[1], outcome, row[2 + outcome.ordinal()]));
            }
        }
        return cases.stream();
    }

    enum Outcome {
        STORED, QUARANTINED_AE, REFUSED_AR
    }

    @ParameterizedTest(name = "MSH-15=''{0}'' MSH-16=''{1}'' {2}: ''{3}''")
    @MethodSource("matrix")
    void theConnectionGetsExactlyTheAnswersTheModesAskFor(String msh15, String msh16, Outcome outcome, String expected) throws Exception {
        List<String> due = expected.isEmpty() ? List.of() : List.of(expected.split(" "));

        try (MllpClient client = new MllpClient("127.0.0.1", middleware.mllpPort(), (int) ANSWER_DUE_MILLIS)) {
            String controlId = nextControlId();
            if (outcome == Outcome.QUARANTINED_AE) {
                assertThat(MllpClient.ackCode(client.send(Hl7Messages.adt(controlId, "Firstcontent")))).isEqualTo("AA");
            }
            String next = controlId + "-NEXT";
            client.writeRaw(MllpClient.frame(message(controlId, msh15, msh16, outcome).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
            client.writeRaw(MllpClient.frame(Hl7Messages.adt(next, "Nextmessage").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
            List<String> answers = new ArrayList<>();
            while (true) {
                String ack = client.readAck().orElseThrow(() -> new AssertionError("no answer to the follow-up message " + next
                        + " within " + ANSWER_DUE_MILLIS + " ms; answers so far " + answers));
                if (MllpClient.ackedControlId(ack).equals(next)) {
                    assertThat(MllpClient.ackCode(ack)).as("the connection answers its next message: " + ack).isEqualTo("AA");
                    break;
                }
                assertThat(MllpClient.ackedControlId(ack)).as("MSA-2 echoes MSH-10: " + ack).isEqualTo(controlId);
                answers.add(MllpClient.ackCode(ack));
            }
            assertThat(answers).as("answers on the connection, in order (plain MLLP socket)").isEqualTo(due);
        }

        Connection connection = hapi.newClient("127.0.0.1", middleware.mllpPort(), false);
        try {
            Initiator initiator = connection.getInitiator();
            String controlId = nextControlId();
            if (outcome == Outcome.QUARANTINED_AE) {
                initiator.setTimeout(ANSWER_DUE_MILLIS, TimeUnit.MILLISECONDS);
                assertThat(code(initiator.sendAndReceive(parse(Hl7Messages.adt(controlId, "Firstcontent"))))).isEqualTo("AA");
            }
            Message sent = parse(message(controlId, msh15, msh16, outcome));
            List<String> droppedByHapi;
            String returnedByHapi = "timeout";
            if (due.isEmpty()) {
                initiator.setTimeout(NOTHING_DUE_MILLIS, TimeUnit.MILLISECONDS);
                assertThatThrownBy(() -> initiator.sendAndReceive(sent)).as("HAPI's sendAndReceive gets nothing").isInstanceOf(HL7Exception.class);
                droppedByHapi = List.of();
            } else {
                initiator.setTimeout(ANSWER_DUE_MILLIS, TimeUnit.MILLISECONDS);
                String returned = initiator.sendAndReceive(sent).encode();
                assertThat(MllpClient.ackedControlId(returned)).as("MSA-2 echoes MSH-10: " + returned).isEqualTo(controlId);
                String code = MllpClient.ackCode(returned);
                returnedByHapi = code;
                if (due.size() == 1) {
                    assertThat(code).as("what HAPI's sendAndReceive returns: " + returned).isEqualTo(due.get(0));
                } else {
                    // HAPI keeps the last answer handed over before its waiting thread wakes: when both frames are
                    // read at once the application ACK replaces the commit ACK unseen; otherwise the commit ACK is
                    // returned and the application ACK dropped as unexpected.
                    assertThat(code).as("what HAPI's sendAndReceive returns: " + returned).isIn(due);
                }
                droppedByHapi = due.subList(due.indexOf(code) + 1, due.size());
            }
            initiator.setTimeout(ANSWER_DUE_MILLIS, TimeUnit.MILLISECONDS);
            String next = controlId + "-NEXT";
            assertThat(code(initiator.sendAndReceive(parse(Hl7Messages.adt(next, "Nextmessage")))))
                    .as("HAPI's connection answers its next message").isEqualTo("AA");
            // Everything answering the case arrived before the AA just read, and HAPI logged what nobody waited for.
            assertThat(ignoredByHapi(controlId)).as("answers HAPI received after the one it returned and dropped")
                    .isEqualTo(droppedByHapi);
            System.out.printf("Hl7AckModesIT: MSH-15='%s' MSH-16='%s' %s: connection %s; HAPI sendAndReceive %s, dropped %s%n",
                    msh15, msh16, outcome, due, returnedByHapi, droppedByHapi);
        } finally {
            connection.close();
        }
    }

    /** The ADT^A04 of the case with MSH-15 and MSH-16 set; unsupported trigger A99 for the refused case. */
    private static String message(String controlId, String msh15, String msh16, Outcome outcome) {
        String adt = Hl7Messages.adt(controlId, outcome == Outcome.QUARANTINED_AE ? "Othercontent" : "Doe");
        if (outcome == Outcome.REFUSED_AR) {
            adt = adt.replace("|ADT^A04^ADT_A01|", "|ADT^A99^ADT_A01|").replace("EVN|A04|", "EVN|A99|");
        }
        String[] segments = adt.split("\r", 2);
        return segments[0] + "|||" + msh15 + "|" + msh16 + "\r" + segments[1];
    }

    private Message parse(String text) throws HL7Exception {
        return hapi.getPipeParser().parse(text);
    }

    private static String code(Message ack) throws HL7Exception {
        return MllpClient.ackCode(ack.encode());
    }

    /** MSA-1 of the acknowledgements answering {@code controlId} that HAPI's receiver dropped as unexpected. */
    private List<String> ignoredByHapi(String controlId) {
        List<String> codes = new ArrayList<>();
        synchronized (hapiReceiverLog) {
            for (ILoggingEvent event : List.copyOf(hapiReceiverLog.list)) {
                String line = event.getFormattedMessage();
                int at = line.indexOf("MSH");
                if (line.startsWith("Unexpected Message Received") && at >= 0
                        && MllpClient.ackedControlId(line.substring(at)).equals(controlId)) {
                    codes.add(MllpClient.ackCode(line.substring(at)));
                }
            }
        }
        return codes;
    }

    private static String nextControlId() {
        return "ACKM" + RUN + "-" + SEQUENCE.incrementAndGet();
    }
}
