package io.caduceus.benchmarks.load;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sends N HL7 v2 messages over M MLLP connections, each connection waiting for its ACK before sending the next (as
 * real senders do), and prints throughput and ACK latency percentiles. With {@code --ceiling} it first measures the
 * same load against a plain HAPI parse-and-ACK listener started in this JVM (no mapping, no vault, no Kafka), so the
 * ratio shows how close the pipeline comes to what MLLP and HL7 parsing alone allow on this machine.
 *
 * <p>{@code --messages N} is what the figures are measured on. The warm-up before it (below) sends messages of its
 * own: the tool says how many before it starts, prints each warm-up round apart from the figures, and sums up what it
 * sent in all at the end. {@code --log FILE} writes one line per message (phase, control id, ACK code, latency in ms;
 * never content), so that a user can check every message was answered: a message whose connection failed before its
 * ACK is logged with the code {@code none}.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.caduceus.benchmarks.load.MllpLoadTool \
 *     --host 127.0.0.1 --port 2575 --messages 100000 --connections 50 [--warmup auto|N] [--ceiling] [--log FILE]
 *     [--status-url URL]
 * </pre>
 */
public final class MllpLoadTool {

    private static final byte START = 0x0b;
    private static final byte END = 0x1c;

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        String host = options.getOrDefault("host", "127.0.0.1");
        int port = Integer.parseInt(options.getOrDefault("port", "2575"));
        int messages = Integer.parseInt(options.getOrDefault("messages", "50000"));
        int connections = Integer.parseInt(options.getOrDefault("connections", "50"));
        String warmup = options.getOrDefault("warmup", "auto");
        if (!warmup.equals("auto") && !warmup.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("--warmup takes auto or a number of messages, not " + warmup);
        }
        String run = Long.toString(System.currentTimeMillis(), 36);

        System.out.printf("MLLP load: %,d measured messages over %d connections, run %s%n", messages, connections, run);
        System.out.println(warmUpPlan(warmup));
        try (MessageLog log = options.containsKey("log") ? MessageLog.open(Path.of(options.get("log"))) : MessageLog.NONE) {
            if (log != MessageLog.NONE) {
                System.out.printf("per-message log: %s (phase, control id, ACK code, latency ms)%n", options.get("log"));
            }
            Result ceiling = null;
            long ceilingWarmUp = 0;
            if (options.containsKey("ceiling")) {
                try (HapiAckListener listener = HapiAckListener.start()) {
                    ceilingWarmUp = warmUp("ceiling", "127.0.0.1", listener.port(), connections, warmup, run + "cw", log);
                    ceiling = drive("127.0.0.1", listener.port(), messages, connections, run + "c", log.phase("ceiling"));
                }
                ceiling.print("ceiling: plain HAPI parse + ACK (measured messages only)");
            }
            long pipelineWarmUp = warmUp("pipeline", host, port, connections, warmup, run + "w", log);
            Result pipeline = drive(host, port, messages, connections, run + "p", log.phase("measured"));
            pipeline.print("Caduceus pipeline (map, vault, Kafka acks=all, then ACK; measured messages only)");
            if (ceiling != null) {
                System.out.printf("pipeline / ceiling throughput: %.1f%%%n", 100.0 * pipeline.throughput() / ceiling.throughput());
                System.out.printf("sent to HAPI's listener: %,d warm-up + %,d measured = %,d messages%n", ceilingWarmUp, messages,
                        ceilingWarmUp + messages);
            }
            System.out.printf("sent to the pipeline: %,d warm-up + %,d measured = %,d messages%n", pipelineWarmUp, messages,
                    pipelineWarmUp + messages);
        }
        if (options.containsKey("status-url")) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(options.get("status-url"))).timeout(Duration.ofSeconds(10));
            // /api/status is for operators: ./caduceus load passes a devnet operator token this way, never as an argument
            // (arguments are visible to every user in the process list).
            String token = System.getenv("CADUCEUS_API_TOKEN");
            if (token != null && !token.isBlank()) {
                request.header("Authorization", "Bearer " + token.strip());
            }
            HttpResponse<String> status = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            System.out.println("middleware status after the run: " + status.body());
        }
    }

    static final int WARMUP_ROUND = 25_000;
    static final int WARMUP_MAX_ROUNDS = 10;

    /** What the warm-up will send, said before anything is sent. */
    static String warmUpPlan(String warmup) {
        return new LoadReport("", "messages", WARMUP_ROUND, WARMUP_MAX_ROUNDS).warmUpPlan(warmup);
    }

    static long warmUp(String label, String host, int port, int connections, String warmup, String runId)
            throws IOException {
        return warmUp(label, host, port, connections, warmup, runId, WARMUP_ROUND, WARMUP_MAX_ROUNDS, MessageLog.NONE);
    }

    static long warmUp(String label, String host, int port, int connections, String warmup, String runId, MessageLog log)
            throws IOException {
        return warmUp(label, host, port, connections, warmup, runId, WARMUP_ROUND, WARMUP_MAX_ROUNDS, log);
    }

    /**
     * Brings the listener to its steady state before the measured run. A fixed few thousand messages were not enough:
     * on two busy cores the JIT needs ~150,000 messages to compile HAPI, Camel and the mapper, and a measured run
     * started before that reports the compiler's progress, not the pipeline. "auto" sends rounds until one comes
     * within 5% of the round before it; a number sends that many messages. Each round is printed, so the warm-up
     * curve is visible rather than hidden.
     *
     * @return how many messages the warm-up sent
     */
    static long warmUp(String label, String host, int port, int connections, String warmup, String runId,
            int roundMessages, int maxRounds, MessageLog log) throws IOException {
        MessageLog.Phase phase = log.phase(label + "-warmup");
        return new LoadReport(label, "messages", roundMessages, maxRounds).warmUp(warmup, runId,
                (messages, id) -> drive(host, port, messages, connections, id, phase));
    }

    /**
     * Drives all connections from one selector thread. A thread per connection cost the tool about as much CPU per
     * message as the Kafka broker (a blocking read and a wake-up per ACK); on a machine whose cores the middleware
     * saturates, that CPU came out of the figures being measured. Each connection still has exactly one message in
     * flight. An ACK read while the thread handles another connection gets its time stamp late, so latencies err high.
     */
    static Result drive(String host, int port, int messages, int connections, String runId) throws IOException {
        return drive(host, port, messages, connections, runId, MessageLog.NONE.phase("measured"));
    }

    static Result drive(String host, int port, int messages, int connections, String runId, MessageLog.Phase log)
            throws IOException {
        long[] latencies = new long[messages];
        Map<String, Long> codes = new TreeMap<>();
        List<Throwable> failures = new ArrayList<>();
        long start = System.nanoTime();
        try (Selector selector = Selector.open()) {
            int open = 0;
            long next = 0;
            for (int c = 0; c < connections && next < messages; c++) {
                Connection connection = null;
                try {
                    connection = Connection.open(new InetSocketAddress(host, port), selector);
                    connection.send(next, frame(Messages.message(runId, next)));
                } catch (IOException e) {
                    failures.add(e);
                    if (connection != null) {
                        connection.close(); // its message goes out on the next connection
                    }
                    continue;
                }
                next++;
                open++;
            }
            long lastTimeoutCheck = System.nanoTime();
            while (open > 0) {
                selector.select(1_000);
                long now = System.nanoTime();
                for (var keys = selector.selectedKeys().iterator(); keys.hasNext(); ) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    Connection connection = (Connection) key.attachment();
                    try {
                        if (key.isWritable()) {
                            connection.flush();
                        }
                        if (key.isReadable()) {
                            String ack = connection.readAck();
                            if (ack != null) {
                                long latency = System.nanoTime() - connection.sentAt;
                                latencies[(int) connection.inFlight] = latency;
                                String code = msa1(ack);
                                codes.merge(code, 1L, Long::sum);
                                log.answered(Messages.controlId(runId, connection.inFlight), code, latency);
                                if (next < messages) {
                                    connection.send(next, frame(Messages.message(runId, next)));
                                    next++;
                                } else {
                                    connection.close();
                                    open--;
                                }
                            }
                        }
                    } catch (IOException e) {
                        failures.add(e);
                        log.unanswered(Messages.controlId(runId, connection.inFlight));
                        connection.close();
                        open--;
                    }
                }
                if (now - lastTimeoutCheck < 1_000_000_000L) {
                    continue;
                }
                lastTimeoutCheck = now;
                for (SelectionKey key : selector.keys()) {
                    Connection connection = (Connection) key.attachment();
                    if (key.isValid() && now - connection.sentAt > ACK_TIMEOUT_NANOS) {
                        failures.add(new IOException("no ACK within " + ACK_TIMEOUT_NANOS / 1_000_000_000 + " s ("
                                + connection.progress() + ")"));
                        log.unanswered(Messages.controlId(runId, connection.inFlight));
                        connection.close();
                        open--;
                    }
                }
            }
        }
        long elapsed = System.nanoTime() - start;
        return new Result(messages, elapsed, latencies, codes, failures);
    }

    private static final long ACK_TIMEOUT_NANOS = 60_000_000_000L;

    /** One MLLP connection with at most one message in flight. */
    private static final class Connection {
        private final SocketChannel channel;
        private final SelectionKey key;
        private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        private final ByteArrayOutputStream ack = new ByteArrayOutputStream(256);
        private boolean insideFrame;
        private ByteBuffer out;
        long inFlight;
        long sentAt;
        /** Bytes read since the message in flight was sent, for the report on a connection that stops answering. */
        private long receivedSinceSend;

        private Connection(SocketChannel channel, Selector selector) throws IOException {
            this.channel = channel;
            this.key = channel.register(selector, SelectionKey.OP_READ, this);
        }

        static Connection open(InetSocketAddress address, Selector selector) throws IOException {
            SocketChannel channel = SocketChannel.open();
            try {
                channel.socket().connect(address, 5_000);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.configureBlocking(false);
                return new Connection(channel, selector);
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        }

        void send(long message, byte[] frame) throws IOException {
            inFlight = message;
            sentAt = System.nanoTime();
            receivedSinceSend = 0;
            out = ByteBuffer.wrap(frame);
            flush();
        }

        /** Where the message in flight stands, for a report on a connection that stopped answering. */
        String progress() {
            return "message " + inFlight + ": " + out.position() + " of " + out.limit() + " bytes sent, "
                    + receivedSinceSend + " bytes received since";
        }

        void flush() throws IOException {
            channel.write(out);
            key.interestOps(out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        /** The ACK's text once its frame is complete, else null (more bytes to come). */
        String readAck() throws IOException {
            int read = channel.read(in);
            if (read > 0) {
                receivedSinceSend += read;
            }
            if (read < 0) {
                throw new IOException(insideFrame ? "connection closed inside an ACK" : "connection closed before an ACK");
            }
            in.flip();
            try {
                while (in.hasRemaining()) {
                    byte b = in.get();
                    if (!insideFrame) {
                        insideFrame = b == START; // bytes between frames are skipped, as before
                    } else if (b == END) {
                        insideFrame = false;
                        String text = ack.toString(StandardCharsets.ISO_8859_1);
                        ack.reset();
                        // The frame's trailing CR, and anything after it, belongs to no message in flight.
                        in.position(in.limit());
                        return text;
                    } else {
                        ack.write(b);
                    }
                }
                return null;
            } finally {
                in.compact();
            }
        }

        void close() {
            key.cancel();
            try {
                channel.close();
            } catch (IOException e) {
                // nothing left to do with it
            }
        }
    }

    record Result(int messages, long elapsedNanos, long[] latencies, Map<String, Long> ackCodes, List<Throwable> failures)
            implements LoadReport.Run {

        /** Connections that failed, as one line; empty when none did. */
        String failureNote() {
            return failures.isEmpty() ? "" : "; connection failures: " + failures.size() + " (first: " + failures.get(0).getMessage() + ")";
        }

        @Override
        public double throughput() {
            return messages / (elapsedNanos / 1e9);
        }

        @Override
        public String rate(boolean round) {
            return String.format("%,.0f/s", throughput());
        }

        @Override
        public String problems() {
            return failureNote();
        }

        void print(String label) {
            long[] sorted = LoadReport.answered(latencies);
            System.out.printf("%s:%n  %,d messages in %.2f s = %,.0f messages/s acknowledged; ACK codes %s%s%n", label, messages,
                    elapsedNanos / 1e9, throughput(), ackCodes, failureNote());
            if (sorted.length > 0) {
                System.out.printf("  ACK latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                        LoadReport.percentile(sorted, 50), LoadReport.percentile(sorted, 90), LoadReport.percentile(sorted, 99),
                        LoadReport.percentile(sorted, 99.9), LoadReport.percentile(sorted, 100));
            }
        }
    }

    static byte[] frame(byte[] message) {
        byte[] framed = new byte[message.length + 3];
        framed[0] = START;
        System.arraycopy(message, 0, framed, 1, message.length);
        framed[framed.length - 2] = END;
        framed[framed.length - 1] = '\r';
        return framed;
    }

    static String msa1(String ack) {
        int msa = ack.indexOf("MSA");
        if (msa < 0 || msa + 6 > ack.length()) {
            return "none";
        }
        return ack.substring(msa + 4, msa + 6);
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String key = args[i].substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                options.put(key, args[++i]);
            } else {
                options.put(key, "true");
            }
        }
        return options;
    }

    private MllpLoadTool() {
    }
}
