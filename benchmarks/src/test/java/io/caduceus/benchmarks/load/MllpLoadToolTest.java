package io.caduceus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class MllpLoadToolTest {

    @Test
    void everyMessageIsAnsweredOnceAgainstHapisOwnListener() throws Exception {
        try (HapiAckListener listener = HapiAckListener.start()) {
            MllpLoadTool.Result result = MllpLoadTool.drive("127.0.0.1", listener.port(), 300, 7, "t");

            assertThat(result.ackCodes()).isEqualTo(Map.of("AA", 300L));
            assertThat(Arrays.stream(result.latencies()).allMatch(latency -> latency > 0)).isTrue();
        }
    }

    @Test
    void ackFramesSplitAcrossReadsAreReassembled() throws Exception {
        try (FakeListener listener = new FakeListener(FakeListener.Mode.SPLIT_ACKS)) {
            MllpLoadTool.Result result = MllpLoadTool.drive("127.0.0.1", listener.port(), 60, 3, "t");

            assertThat(result.ackCodes()).isEqualTo(Map.of("AE", 60L));
            assertThat(listener.received.get()).isEqualTo(60);
        }
    }

    @Test
    void aConnectionClosedBeforeItsAckEndsThatConnectionOnly() throws Exception {
        try (FakeListener listener = new FakeListener(FakeListener.Mode.CLOSE_FIRST_CONNECTION)) {
            MllpLoadTool.Result result = MllpLoadTool.drive("127.0.0.1", listener.port(), 40, 2, "t");

            // The first connection's message is lost with it; the other connection carries on with the rest.
            assertThat(result.ackCodes()).isEqualTo(Map.of("AE", 39L));
            assertThat(Arrays.stream(result.latencies()).filter(latency -> latency == 0)).hasSize(1);
            assertThat(result.failures()).singleElement().satisfies(failure ->
                    assertThat(failure).hasMessageContaining("connection closed before an ACK"));
            assertThat(result.failureNote()).startsWith("; connection failures: 1 (first: connection closed");
        }
    }

    @Test
    void aFixedWarmUpSendsExactlyThatManyMessages() throws Exception {
        try (FakeListener listener = new FakeListener(FakeListener.Mode.SPLIT_ACKS)) {
            long sent = MllpLoadTool.warmUp("test", "127.0.0.1", listener.port(), 4, "150", "t", 100, 3, MessageLog.NONE);

            assertThat(listener.received.get()).isEqualTo(150);
            assertThat(sent).isEqualTo(150);
        }
    }

    @Test
    void anAutomaticWarmUpSendsWholeRoundsAndStopsAtTheLastRoundAtMost() throws Exception {
        try (FakeListener listener = new FakeListener(FakeListener.Mode.SPLIT_ACKS)) {
            long sent = MllpLoadTool.warmUp("test", "127.0.0.1", listener.port(), 4, "auto", "t", 100, 3, MessageLog.NONE);

            // One round cannot settle (nothing to compare with); the rest depends on this machine's timing.
            assertThat(listener.received.get()).isIn(200, 300);
            assertThat(sent).as("what the tool reports as sent").isEqualTo(listener.received.get());
        }
    }

    @Test
    void theWarmUpIsAnnouncedBeforeAnythingIsSent() {
        assertThat(MllpLoadTool.warmUpPlan("auto")).contains("25,000").contains("250,000").contains("not counted");
        assertThat(MllpLoadTool.warmUpPlan("1000")).contains("1,000 messages, not counted");
        assertThat(MllpLoadTool.warmUpPlan("0")).startsWith("no warm-up");
    }

    @Test
    void thePerMessageLogNamesEveryMessageOnceWithItsAckOrNone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("messages.tsv");
        try (FakeListener warmUpListener = new FakeListener(FakeListener.Mode.SPLIT_ACKS);
                FakeListener listener = new FakeListener(FakeListener.Mode.CLOSE_FIRST_CONNECTION);
                MessageLog log = MessageLog.open(file)) {
            MllpLoadTool.warmUp("pipeline", "127.0.0.1", warmUpListener.port(), 2, "10", "w", 100, 3, log);
            MllpLoadTool.drive("127.0.0.1", listener.port(), 40, 2, "m", log.phase("measured"));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).isEqualTo("phase\tcontrolId\tack\tlatencyMs");
        List<String[]> rows = lines.subList(1, lines.size()).stream().map(l -> l.split("\t", -1)).toList();
        assertThat(rows).filteredOn(r -> r[0].equals("pipeline-warmup")).hasSize(10)
                .allSatisfy(r -> assertThat(r[2]).isEqualTo("AE"));
        List<String[]> measured = rows.stream().filter(r -> r[0].equals("measured")).toList();
        assertThat(measured).extracting(r -> r[1]).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, 40).mapToObj(i -> "m-" + i).toList());
        assertThat(measured).filteredOn(r -> r[2].equals("none")).singleElement()
                .satisfies(r -> assertThat(r[3]).isEmpty());
        assertThat(measured).filteredOn(r -> r[2].equals("AE")).hasSize(39)
                .allSatisfy(r -> assertThat(Double.parseDouble(r[3])).isPositive());
    }

    /** An MLLP listener answering every frame with an AE, in the ways real listeners misbehave. */
    private static final class FakeListener implements AutoCloseable {
        enum Mode { SPLIT_ACKS, CLOSE_FIRST_CONNECTION }

        private final ServerSocket server = new ServerSocket(0);
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger received = new AtomicInteger();

        FakeListener(Mode mode) throws IOException {
            threads.submit(() -> {
                while (!server.isClosed()) {
                    Socket socket = server.accept();
                    boolean closeAtOnce = mode == Mode.CLOSE_FIRST_CONNECTION && connections.getAndIncrement() == 0;
                    threads.submit(() -> serve(socket, closeAtOnce));
                }
                return null;
            });
        }

        int port() {
            return server.getLocalPort();
        }

        private Void serve(Socket socket, boolean closeAtOnce) throws IOException, InterruptedException {
            try (socket) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                int b;
                while ((b = in.read()) >= 0) {
                    if (b != 0x1c) {
                        continue;
                    }
                    in.read(); // the frame's CR
                    received.incrementAndGet();
                    if (closeAtOnce) {
                        return null;
                    }
                    byte[] ack = "\u000bMSH|^~\\&|X|Y|||20261205||ACK|1|P|2.5\rMSA|AE|1\r\u001c\r"
                            .getBytes(StandardCharsets.ISO_8859_1);
                    out.write(ack, 0, 20);
                    out.flush();
                    Thread.sleep(2);
                    out.write(ack, 20, ack.length - 20);
                    out.flush();
                }
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            server.close();
            threads.shutdownNow();
        }
    }
}
