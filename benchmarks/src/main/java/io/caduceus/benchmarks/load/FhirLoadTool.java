package io.caduceus.benchmarks.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The FHIR mode of {@code ./caduceus load --fhir}: M clients each POST transaction bundles
 * ({@link FhirBundles}) to the middleware's {@code /fhir} one after the other, waiting for each answer as a real client
 * does, and every answer must be 200 with a transaction-response of as many entries as were sent. Prints bundles/s,
 * resources/s and latency percentiles of the measured bundles; the warm-up is announced, printed and counted apart.
 * With {@code --hl7 N} the MLLP pipeline is measured after it in the same run, for a figure side by side.
 *
 * <p>The bearer token comes from the environment ({@code CADUCEUS_FHIR_TOKEN}), never from the command line, which
 * every user of the machine can read in the process list.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.caduceus.benchmarks.load.FhirLoadTool --url http://127.0.0.1:8080 \
 *     [--bundles N] [--clients M] [--resources-per-bundle R] [--warmup auto|N] [--log FILE]
 *     [--hl7 N --mllp-host H --mllp-port P --hl7-connections C] [--status-url URL]
 * </pre>
 */
public final class FhirLoadTool {

    static final int WARMUP_ROUND = 1_000;
    static final int WARMUP_MAX_ROUNDS = 8;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /** The command line, checked before anything is sent. */
    record Options(URI url, int bundles, int clients, int resourcesPerBundle, String warmup, Path log, int hl7Messages,
            String mllpHost, int mllpPort, int hl7Connections, String hl7Warmup, URI statusUrl) {

        static Options parse(String... args) {
            Map<String, String> o = new TreeMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument " + args[i]);
                }
                String key = args[i].substring(2);
                if (!KNOWN.contains(key)) {
                    throw new IllegalArgumentException("unknown option --" + key + "; known: --" + String.join(", --", KNOWN));
                }
                o.put(key, i + 1 < args.length && !args[i + 1].startsWith("--") ? args[++i] : "true");
            }
            String warmup = o.getOrDefault("warmup", "auto");
            requireWarmup("--warmup", warmup);
            String hl7Warmup = o.getOrDefault("hl7-warmup", "auto");
            requireWarmup("--hl7-warmup", hl7Warmup);
            return new Options(URI.create(stripSlash(o.getOrDefault("url", "http://127.0.0.1:8080"))),
                    positive(o, "bundles", 3_000), positive(o, "clients", 8),
                    between(o, "resources-per-bundle", 10, 1, 1_000), warmup,
                    o.containsKey("log") ? Path.of(o.get("log")) : null,
                    between(o, "hl7", 0, 0, Integer.MAX_VALUE), o.getOrDefault("mllp-host", "127.0.0.1"),
                    between(o, "mllp-port", 2575, 1, 65_535), positive(o, "hl7-connections", 50), hl7Warmup,
                    o.containsKey("status-url") ? URI.create(o.get("status-url")) : null);
        }

        private static final List<String> KNOWN = List.of("url", "bundles", "clients", "resources-per-bundle", "warmup", "log",
                "hl7", "mllp-host", "mllp-port", "hl7-connections", "hl7-warmup", "status-url", "fhir");

        private static void requireWarmup(String option, String value) {
            if (!value.equals("auto") && !value.matches("\\d{1,9}")) {
                throw new IllegalArgumentException(option + " takes auto or a number, not " + value);
            }
        }

        private static int positive(Map<String, String> o, String key, int defaultValue) {
            return between(o, key, defaultValue, 1, Integer.MAX_VALUE);
        }

        private static int between(Map<String, String> o, String key, int defaultValue, int min, int max) {
            String value = o.get(key);
            if (value == null) {
                return defaultValue;
            }
            long n;
            try {
                n = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + key + " takes a number, not " + value);
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException("--" + key + " must be " + min + " to " + max + ", not " + value);
            }
            return (int) n;
        }

        private static String stripSlash(String url) {
            return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("./caduceus load --fhir: " + e.getMessage());
            System.exit(2);
            return;
        }
        String token = System.getenv("CADUCEUS_FHIR_TOKEN");
        if (token == null || token.isBlank()) {
            System.err.println("./caduceus load --fhir: no bearer token in CADUCEUS_FHIR_TOKEN (./caduceus token mints one)");
            System.exit(2);
            return;
        }
        String run = Long.toString(System.currentTimeMillis(), 36);
        System.out.printf("FHIR load: %,d measured transaction bundles of %d resources over %d clients to %s/fhir, run %s%n",
                options.bundles(), options.resourcesPerBundle(), options.clients(), options.url(), run);
        System.out.println(warmUpPlan(options.warmup()));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        Sender sender = new HttpSender(http, options.url().resolve("/fhir"), token.strip());
        try (MessageLog log = options.log() == null ? MessageLog.NONE
                : MessageLog.open(options.log(), "phase\tbundle\tstatus\tlatencyMs")) {
            if (options.log() != null) {
                System.out.printf("per-bundle log: %s (phase, bundle, HTTP status or none, latency ms)%n", options.log());
            }
            long warmedUp = warmUp(sender, options, run + "w", log);
            Result result = drive(sender, options.bundles(), options.clients(), options.resourcesPerBundle(), run + "m",
                    log.phase("measured"));
            result.print("Caduceus FHIR inbound (validate, vault, Kafka acks=all, then 200; measured bundles only)");
            System.out.printf("sent to /fhir: %,d warm-up + %,d measured = %,d bundles (%,d resources)%n", warmedUp,
                    options.bundles(), warmedUp + options.bundles(), (warmedUp + options.bundles()) * options.resourcesPerBundle());
            if (options.hl7Messages() > 0) {
                hl7(options, run, log);
            }
        }
        if (options.statusUrl() != null) {
            HttpRequest.Builder request = HttpRequest.newBuilder(options.statusUrl()).timeout(Duration.ofSeconds(10));
            String operator = System.getenv("CADUCEUS_API_TOKEN");
            if (operator != null && !operator.isBlank()) {
                request.header("Authorization", "Bearer " + operator.strip());
            }
            System.out.println("middleware status after the run: "
                    + http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body());
        }
    }

    /** The HL7 v2 pipeline under the MLLP load, right after the FHIR figures, on the same devnet and middleware. */
    private static void hl7(Options options, String run, MessageLog log) throws IOException {
        System.out.printf("%nHL7 v2 beside it: %,d measured messages over %d MLLP connections to %s:%d%n", options.hl7Messages(),
                options.hl7Connections(), options.mllpHost(), options.mllpPort());
        System.out.println(MllpLoadTool.warmUpPlan(options.hl7Warmup()));
        long warm = MllpLoadTool.warmUp("pipeline", options.mllpHost(), options.mllpPort(), options.hl7Connections(),
                options.hl7Warmup(), run + "hw", log);
        MllpLoadTool.Result pipeline = MllpLoadTool.drive(options.mllpHost(), options.mllpPort(), options.hl7Messages(),
                options.hl7Connections(), run + "hp", log.phase("hl7-measured"));
        pipeline.print("Caduceus HL7 v2 pipeline (map, vault, Kafka acks=all, then ACK; measured messages only)");
        System.out.printf("sent over MLLP: %,d warm-up + %,d measured = %,d messages%n", warm, options.hl7Messages(),
                warm + options.hl7Messages());
    }

    /** What the warm-up will send, said before anything is sent. */
    static String warmUpPlan(String warmup) {
        return new LoadReport("", "bundles", WARMUP_ROUND, WARMUP_MAX_ROUNDS).warmUpPlan(warmup);
    }

    /** @return how many bundles the warm-up sent */
    static long warmUp(Sender sender, Options options, String runId, MessageLog log) {
        return warmUp(sender, options.warmup(), options.clients(), options.resourcesPerBundle(), runId, WARMUP_ROUND,
                WARMUP_MAX_ROUNDS, log);
    }

    static long warmUp(Sender sender, String warmup, int clients, int resources, String runId, int roundBundles, int maxRounds,
            MessageLog log) {
        MessageLog.Phase phase = log.phase("warmup");
        return new LoadReport("", "bundles", roundBundles, maxRounds).warmUp(warmup, runId,
                (bundles, id) -> drive(sender, bundles, clients, resources, id, phase));
    }

    /** Sends one bundle and says how it was answered. */
    interface Sender {
        /** @return the HTTP status, or a negative number when the answer was not the transaction-response expected */
        int send(String body, int entries) throws IOException, InterruptedException;
    }

    /** A 200 counts only with a transaction-response of one entry per entry sent: anything else is an error. */
    static final int WRONG_ANSWER = -1;

    static final class HttpSender implements Sender {
        private final HttpClient http;
        private final URI endpoint;
        private final String token;

        HttpSender(HttpClient http, URI endpoint, String token) {
            this.http = http;
            this.endpoint = endpoint;
            this.token = token;
        }

        @Override
        public int send(String body, int entries) throws IOException, InterruptedException {
            HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/fhir+json").header("Accept", "application/fhir+json")
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200 && !isTransactionResponse(response.body(), entries)) {
                return WRONG_ANSWER;
            }
            return response.statusCode();
        }
    }

    /** A transaction-response with {@code entries} entries, each 201 Created; read as text, without a JSON parser. */
    static boolean isTransactionResponse(String body, int entries) {
        if (!body.contains("\"transaction-response\"")) {
            return false;
        }
        int created = 0;
        for (int at = body.indexOf("\"201 Created\""); at >= 0; at = body.indexOf("\"201 Created\"", at + 1)) {
            created++;
        }
        return created == entries;
    }

    /**
     * Runs {@code bundles} bundles through {@code clients} threads, each with one bundle in flight. Bundle numbers are
     * handed out in order, so every bundle is sent exactly once whatever the threads' speeds.
     */
    static Result drive(Sender sender, int bundles, int clients, int resources, String runId, MessageLog.Phase log) {
        long[] latencies = new long[bundles];
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong next = new AtomicLong();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < Math.min(clients, bundles); c++) {
            Thread thread = new Thread(() -> {
                for (long i = next.getAndIncrement(); i < bundles; i = next.getAndIncrement()) {
                    String body = FhirBundles.bundle(runId, i, resources);
                    String name = FhirBundles.bundleId(runId, i);
                    long t0 = System.nanoTime();
                    try {
                        int status = sender.send(body, resources);
                        long latency = System.nanoTime() - t0;
                        latencies[(int) i] = latency;
                        statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                        synchronized (log) {
                            log.answered(name, status == WRONG_ANSWER ? "200-unexpected-body" : Integer.toString(status), latency);
                        }
                    } catch (IOException e) {
                        failures.add(e);
                        synchronized (log) {
                            log.unanswered(name);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }, "fhir-load-client-" + c);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the clients ran", e);
            }
        }
        long elapsed = System.nanoTime() - start;
        Map<Integer, Long> counts = new TreeMap<>();
        statuses.forEach((status, n) -> counts.put(status, n.get()));
        return new Result(bundles, resources, elapsed, latencies, counts, List.copyOf(failures));
    }

    record Result(int bundles, int resourcesPerBundle, long elapsedNanos, long[] latencies, Map<Integer, Long> statuses,
            List<Throwable> failures) implements LoadReport.Run {

        /** Bundles not answered with the expected 200: other statuses, wrong bodies and failed connections. */
        long errors() {
            return bundles - statuses.getOrDefault(200, 0L);
        }

        @Override
        public double throughput() {
            return bundlesPerSecond();
        }

        /** In an automatic warm-up's rounds with the p99, which shows the JIT's progress better than throughput. */
        @Override
        public String rate(boolean round) {
            return round ? String.format("%,.1f/s, p99 %.1f ms", bundlesPerSecond(), percentile(99))
                    : String.format("%,.1f/s", bundlesPerSecond());
        }

        @Override
        public String problems() {
            return errorNote();
        }

        String errorNote() {
            return errors() == 0 ? "" : "; ERRORS: " + errors() + " " + statuses + (failures.isEmpty() ? ""
                    : ", connection failures " + failures.size() + " (first: " + failures.get(0) + ")");
        }

        double bundlesPerSecond() {
            return bundles / (elapsedNanos / 1e9);
        }

        double percentile(double p) {
            return LoadReport.percentile(LoadReport.answered(latencies), p);
        }

        void print(String label) {
            System.out.printf("%s:%n  %,d bundles (%,d resources) in %.2f s = %,.1f bundles/s, %,.0f resources/s; HTTP statuses %s;"
                    + " errors %d%s%n", label, bundles, (long) bundles * resourcesPerBundle, elapsedNanos / 1e9, bundlesPerSecond(),
                    bundlesPerSecond() * resourcesPerBundle, statuses, errors(), failures.isEmpty() ? ""
                            : " (connection failures " + failures.size() + ", first: " + failures.get(0) + ")");
            System.out.printf("  latency per bundle ms: p50 %.1f  p95 %.1f  p99 %.1f  max %.1f%n", percentile(50), percentile(95),
                    percentile(99), percentile(100));
        }
    }

    private FhirLoadTool() {
    }
}
