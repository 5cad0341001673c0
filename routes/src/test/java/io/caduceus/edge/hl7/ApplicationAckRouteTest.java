package io.caduceus.edge.hl7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caduceus.routes.AppWithoutKafka;
import io.caduceus.edge.mllp.MllpClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application as it starts, with hl7-ingest.camel.yaml as shipped; only the sends to Kafka are skipped (an extra
 * route configuration), so that messages are stored and quarantined without a broker.
 */
class ApplicationAckRouteTest {

    @TempDir
    static Path tmp;

    private static Main main;
    private static int mllpPort;
    private static SenderMllpListener his;
    private static int labPort;
    private static final MllpClient CLIENT = new MllpClient(Duration.ofSeconds(5), Duration.ofSeconds(60), 65536);

    @BeforeAll
    static void start() throws Exception {
        his = SenderMllpListener.onFreePort("CA");
        labPort = AppWithoutKafka.freePort();
        mllpPort = AppWithoutKafka.freePort();
        main = AppWithoutKafka.start(tmp,
                "camel.server.port=" + AppWithoutKafka.freePort(),
                "caduceus.mllp.port=" + mllpPort,
                "caduceus.mllp.application-ack.destinations=HIS^HOSPITAL=127.0.0.1:" + his.port() + ",LAB^*=127.0.0.1:" + labPort,
                "caduceus.mllp.application-ack.retries=20",
                "caduceus.mllp.application-ack.retry-delay-ms=100",
                "caduceus.mllp.application-ack.retry-max-delay-ms=200");
    }

    @AfterAll
    static void stop() throws Exception {
        if (main != null) {
            main.stop();
        }
        his.close();
    }

    private static String adt(String sender, String trigger, String controlId, String msh16) {
        return "MSH|^~\\&|" + sender + "|CADUCEUS|HUB|20261125101500||ADT^" + trigger + "^ADT_A01|" + controlId + "|P|2.5.1|||AL|"
                + msh16 + "\rEVN|" + trigger + "|20261125101500\rPID|1||MRN-1^^^HOSPITAL^MR||Doe^Jane||19700101|F\r"
                + "PV1|1|I|STA1^R101^B1\r";
    }

    private static String send(String message) throws IOException {
        return new String(CLIENT.send("127.0.0.1", mllpPort, message.getBytes(StandardCharsets.ISO_8859_1)), StandardCharsets.ISO_8859_1);
    }

    private static String receivedBy(SenderMllpListener listener, String controlId) {
        await().atMost(Duration.ofSeconds(30)).until(() -> listener.received().stream().anyMatch(m -> acknowledges(m, controlId)));
        return listener.received().stream().filter(m -> acknowledges(m, controlId)).findFirst().orElseThrow();
    }

    private static boolean acknowledges(String ack, String controlId) {
        return ack.matches("(?s).*\rMSA\\|A[AER]\\|" + controlId + "[|\r].*");
    }

    @Test
    void anAcceptedMessageGetsItsCommitAckAtOnceAndItsApplicationAckOnTheSendersListener() throws Exception {
        CountDownLatch replies = his.holdReplies();
        try {
            // The sender's listener does not answer yet: the commit ack must not wait for it.
            assertThat(send(adt("HIS|HOSPITAL", "A01", "E2E-1", "AL"))).contains("\rMSA|CA|E2E-1");
            String ack = receivedBy(his, "E2E-1");
            assertThat(ack).startsWith("MSH|^~\\&|CADUCEUS|HUB|HIS|HOSPITAL|").contains("|ACK^A01^ACK|").contains("|P|2.5.1|||AL|NE\r")
                    .endsWith("\rMSA|AA|E2E-1\r");
        } finally {
            replies.countDown();
        }

        // A retransmission is recorded once but acknowledged again, by the application too.
        assertThat(send(adt("HIS|HOSPITAL", "A01", "E2E-1", "AL"))).contains("\rMSA|CA|E2E-1");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> his.received().stream().filter(m -> m.endsWith("\rMSA|AA|E2E-1\r")).count() == 2);
    }

    @Test
    void aQuarantinedMessageGetsAnApplicationRejectWithTheError() throws Exception {
        assertThat(send(adt("HIS|HOSPITAL", "A99", "E2E-2", "ER"))).contains("\rMSA|CR|E2E-2");
        assertThat(receivedBy(his, "E2E-2")).contains("\rMSA|AR|E2E-2|").contains("\rERR||MSH^1^9^1|201^Unsupported event code^HL70357|E");
    }

    @Test
    void msh16NeverOrSuccessOnlyOnARejectionSendsNothing() throws Exception {
        assertThat(send(adt("HIS|HOSPITAL", "A01", "E2E-3", "NE"))).contains("\rMSA|CA|E2E-3");
        assertThat(send(adt("HIS|HOSPITAL", "A99", "E2E-4", "SU"))).contains("\rMSA|CR|E2E-4");
        // A later acknowledgement through the same queue shows the earlier ones were not merely slow.
        assertThat(send(adt("HIS|HOSPITAL", "A01", "E2E-5", "SU"))).contains("\rMSA|CA|E2E-5");
        receivedBy(his, "E2E-5");
        assertThat(his.received()).noneMatch(m -> acknowledges(m, "E2E-3") || acknowledges(m, "E2E-4"));
    }

    @Test
    void anAckForASenderWhoseListenerIsDownIsRetriedUntilItComesUp() throws Exception {
        assertThat(send(adt("LAB|EAST", "A01", "E2E-6", "AL"))).contains("\rMSA|CA|E2E-6");
        Thread.sleep(500); // a few attempts fail first
        try (SenderMllpListener lab = SenderMllpListener.on(labPort, "CA")) {
            assertThat(receivedBy(lab, "E2E-6")).startsWith("MSH|^~\\&|CADUCEUS|HUB|LAB|EAST|").endsWith("\rMSA|AA|E2E-6\r");
            ApplicationAckSender sender = main.getCamelContext().getRegistry().lookupByNameAndType("applicationAckSender",
                    ApplicationAckSender.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> sender.delivered() >= 1);
        }
    }

    @Test
    void aSenderWithoutDestinationGetsTheApplicationAckOnTheSameConnectionInOrder() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", mllpPort)) {
            socket.setSoTimeout(5_000);
            // NE/AL: the application acknowledgement is the only answer.
            write(socket, adt("RIS|RADIOLOGY", "A01", "E2E-7", "AL").replace("|||AL|AL\r", "|||NE|AL\r"));
            String only = readFrame(socket);
            assertThat(only).startsWith("MSH|^~\\&|CADUCEUS|HUB|RIS|RADIOLOGY|").contains("|P|2.5.1|||NE|NE\r")
                    .endsWith("\rMSA|AA|E2E-7\r");
            // AL/AL: the commit acknowledgement, then the application acknowledgement, before the next message's answer.
            write(socket, adt("RIS|RADIOLOGY", "A01", "E2E-8", "AL"));
            write(socket, adt("RIS|RADIOLOGY", "A99", "E2E-9", "ER"));
            assertThat(readFrame(socket)).contains("\rMSA|CA|E2E-8");
            assertThat(readFrame(socket)).endsWith("\rMSA|AA|E2E-8\r");
            assertThat(readFrame(socket)).contains("\rMSA|CR|E2E-9");
            assertThat(readFrame(socket)).contains("\rMSA|AR|E2E-9|");
        }
        assertThat(his.received()).noneMatch(m -> m.contains("|RIS|RADIOLOGY|"));
    }

    private static void write(Socket socket, String message) throws IOException {
        byte[] body = message.getBytes(StandardCharsets.ISO_8859_1);
        byte[] framed = new byte[body.length + 3];
        framed[0] = 0x0b;
        System.arraycopy(body, 0, framed, 1, body.length);
        framed[framed.length - 2] = 0x1c;
        framed[framed.length - 1] = 0x0d;
        socket.getOutputStream().write(framed);
        socket.getOutputStream().flush();
    }

    private static String readFrame(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        int b;
        while ((b = in.read()) != 0x0b) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        while ((b = in.read()) != 0x1c) {
            if (b < 0) {
                throw new IOException("connection closed inside a frame");
            }
            frame.write(b);
        }
        in.read(); // the closing CR
        return frame.toString(StandardCharsets.ISO_8859_1);
    }
}
