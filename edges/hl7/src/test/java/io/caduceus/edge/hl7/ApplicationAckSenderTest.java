package io.caduceus.edge.hl7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ApplicationAckSenderTest {

    private static final CamelContext CONTEXT = new DefaultCamelContext();
    private static final String ACK = "MSH|^~\\&|CADUCEUS|HUB|HIS|HOSPITAL|20261125101530.000+0000||ACK^A01^ACK|CAD1|P|2.5.1|||AL|NE\r"
            + "MSA|AA|MSG-42\r";

    @AfterAll
    static void closeContext() throws Exception {
        CONTEXT.close();
    }

    private static ApplicationAckSender sender(int retries, Duration replyTimeout) {
        return new ApplicationAckSender(new ApplicationAckSettings(ApplicationAckDestinations.none(), Duration.ofSeconds(2),
                replyTimeout, retries));
    }

    private static Exchange ackTo(int port, int redelivery) {
        Exchange exchange = new DefaultExchange(CONTEXT);
        exchange.setProperty(IngestExchange.APPLICATION_ACK_DESTINATION, new ApplicationAckDestinations.Destination("127.0.0.1", port));
        exchange.setProperty(IngestExchange.APPLICATION_ACK_SENDER, "HIS^HOSPITAL");
        exchange.getMessage().setBody(ACK.getBytes(StandardCharsets.ISO_8859_1));
        if (redelivery > 0) {
            exchange.getMessage().setHeader(Exchange.REDELIVERY_COUNTER, redelivery);
        }
        return exchange;
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void deliversTheFramedAckAndIsDoneWhenTheSenderCommitsIt() throws Exception {
        ApplicationAckSender sender = sender(3, Duration.ofSeconds(5));
        try (SenderMllpListener listener = SenderMllpListener.onFreePort("CA")) {
            sender.send(ackTo(listener.port(), 0));
            assertThat(listener.received()).containsExactly(ACK);
        }
        assertThat(sender.delivered()).isEqualTo(1);
        assertThat(sender.givenUp()).isZero();
    }

    @Test
    void noListenerFailsTheAttemptForTheRouteToRetryUntilTheLastAttemptGivesUp() throws Exception {
        ApplicationAckSender sender = sender(2, Duration.ofSeconds(5));
        int port = unusedPort();
        assertThatThrownBy(() -> sender.send(ackTo(port, 0))).isInstanceOf(ApplicationAckSender.ApplicationAckNotDeliveredException.class)
                .hasMessageContaining("ConnectException");
        assertThatThrownBy(() -> sender.send(ackTo(port, 1))).isInstanceOf(ApplicationAckSender.ApplicationAckNotDeliveredException.class);
        sender.send(ackTo(port, 2)); // the third and last attempt gives up instead of failing the exchange
        assertThat(sender.givenUp()).isEqualTo(1);
        assertThat(sender.delivered()).isZero();
    }

    @Test
    void commitErrorIsRetriedAndCommitRejectIsFinal() throws Exception {
        ApplicationAckSender sender = sender(3, Duration.ofSeconds(5));
        try (SenderMllpListener error = SenderMllpListener.onFreePort("CE"); SenderMllpListener reject = SenderMllpListener.onFreePort("CR")) {
            assertThatThrownBy(() -> sender.send(ackTo(error.port(), 0)))
                    .isInstanceOf(ApplicationAckSender.ApplicationAckNotDeliveredException.class).hasMessage("the sender answered CE");
            sender.send(ackTo(reject.port(), 0));
            assertThat(reject.received()).hasSize(1);
        }
        assertThat(sender.givenUp()).isEqualTo(1);
        assertThat(sender.delivered()).isZero();
    }

    @Test
    void aSenderThatNeverAnswersFailsTheAttemptAtTheReplyDeadline() throws Exception {
        ApplicationAckSender sender = sender(1, Duration.ofMillis(300));
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                try (Socket connection = silent.accept()) {
                    Thread.sleep(5_000);
                } catch (IOException | InterruptedException e) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            long start = System.nanoTime();
            assertThatThrownBy(() -> sender.send(ackTo(silent.getLocalPort(), 0)))
                    .isInstanceOf(ApplicationAckSender.ApplicationAckNotDeliveredException.class).hasMessageContaining("within 300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            acceptor.interrupt();
        }
    }

    @Test
    void readsTheCodeOfTheCommitAck() {
        assertThat(ApplicationAckSender.commitAckCode("MSH|^~\\&|A|B\rMSA|CA|1\r".getBytes(StandardCharsets.ISO_8859_1))).isEqualTo("CA");
        assertThat(ApplicationAckSender.commitAckCode("MSH#@~\\&#A\nMSA#CE#1".getBytes(StandardCharsets.ISO_8859_1))).isEqualTo("CE");
        assertThat(ApplicationAckSender.commitAckCode("MSH|^~\\&|A|B\rPID|1\r".getBytes(StandardCharsets.ISO_8859_1))).isEmpty();
    }
}
