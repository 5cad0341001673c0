package io.caduceus.benchmarks.load;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends N HL7 v2 messages over M MLLP connections, each connection waiting for its ACK before sending the next (as
 * real senders do), and prints throughput and ACK latency percentiles. With {@code --ceiling} it first measures the
 * same load against a plain HAPI parse-and-ACK listener started in this JVM (no mapping, no vault, no Kafka), so the
 * ratio shows how close the pipeline comes to what MLLP and HL7 parsing alone allow on this machine.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.caduceus.benchmarks.load.MllpLoadTool \
 *     --host 127.0.0.1 --port 2575 --messages 100000 --connections 50 [--warmup 5000] [--ceiling] [--status-url URL]
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
        int warmup = Integer.parseInt(options.getOrDefault("warmup", String.valueOf(Math.min(5000, messages / 10))));
        String run = Long.toString(System.currentTimeMillis(), 36);

        System.out.printf("MLLP load: %,d messages over %d connections (after %,d warm-up messages), run %s%n", messages, connections, warmup, run);
        Result ceiling = null;
        if (options.containsKey("ceiling")) {
            try (HapiAckListener listener = HapiAckListener.start()) {
                drive("127.0.0.1", listener.port(), warmup, connections, run + "w0");
                ceiling = drive("127.0.0.1", listener.port(), messages, connections, run + "c");
            }
            ceiling.print("ceiling: plain HAPI parse + ACK");
        }
        if (warmup > 0) {
            drive(host, port, warmup, connections, run + "w");
        }
        Result pipeline = drive(host, port, messages, connections, run + "p");
        pipeline.print("Caduceus pipeline (map, vault, Kafka acks=all, then ACK)");
        if (ceiling != null) {
            System.out.printf("pipeline / ceiling throughput: %.1f%%%n", 100.0 * pipeline.throughput() / ceiling.throughput());
        }
        if (options.containsKey("status-url")) {
            HttpResponse<String> status = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(options.get("status-url"))).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.println("middleware status after the run: " + status.body());
        }
    }

    static Result drive(String host, int port, int messages, int connections, String runId) throws InterruptedException {
        long[] latencies = new long[messages];
        AtomicLong next = new AtomicLong();
        Map<String, AtomicLong> codes = new ConcurrentHashMap<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(connections);
        long start = System.nanoTime();
        for (int c = 0; c < connections; c++) {
            Thread thread = new Thread(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(host, port), 5_000);
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout(60_000);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
                    long i;
                    while ((i = next.getAndIncrement()) < messages) {
                        byte[] frame = frame(Messages.message(runId, i));
                        long sent = System.nanoTime();
                        out.write(frame);
                        out.flush();
                        String ack = readAck(in);
                        latencies[(int) i] = System.nanoTime() - sent;
                        codes.computeIfAbsent(msa1(ack), k -> new AtomicLong()).incrementAndGet();
                    }
                } catch (Exception e) {
                    failures.add(e);
                } finally {
                    done.countDown();
                }
            }, "load-" + c);
            thread.start();
        }
        done.await();
        long elapsed = System.nanoTime() - start;
        if (!failures.isEmpty()) {
            System.out.println("connection failures: " + failures.size() + " (first: " + failures.get(0) + ")");
        }
        Map<String, Long> counts = new TreeMap<>();
        codes.forEach((k, v) -> counts.put(k, v.get()));
        return new Result(messages, elapsed, latencies, counts);
    }

    record Result(int messages, long elapsedNanos, long[] latencies, Map<String, Long> ackCodes) {

        double throughput() {
            return messages / (elapsedNanos / 1e9);
        }

        void print(String label) {
            long[] sorted = Arrays.stream(latencies).filter(l -> l > 0).sorted().toArray();
            System.out.printf("%s:%n  %,d messages in %.2f s = %,.0f messages/s acknowledged; ACK codes %s%n", label, messages,
                    elapsedNanos / 1e9, throughput(), ackCodes);
            if (sorted.length > 0) {
                System.out.printf("  ACK latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n", pct(sorted, 50), pct(sorted, 90),
                        pct(sorted, 99), pct(sorted, 99.9), sorted[sorted.length - 1] / 1e6);
            }
        }

        private static double pct(long[] sorted, double p) {
            int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
            return sorted[Math.max(0, index)] / 1e6;
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

    static String readAck(InputStream in) throws IOException {
        ByteArrayOutputStream ack = new ByteArrayOutputStream(256);
        int b;
        while ((b = in.read()) != START) {
            if (b < 0) {
                throw new IOException("connection closed before an ACK");
            }
        }
        while ((b = in.read()) != END) {
            if (b < 0) {
                throw new IOException("connection closed inside an ACK");
            }
            ack.write(b);
        }
        in.read();
        return ack.toString(StandardCharsets.ISO_8859_1);
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
