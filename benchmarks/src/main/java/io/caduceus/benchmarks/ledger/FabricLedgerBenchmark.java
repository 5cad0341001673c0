package io.caduceus.benchmarks.ledger;

import io.caduceus.adapters.fabric.FabricConnection;
import io.caduceus.adapters.fabric.FabricGatewayConfig;
import io.caduceus.ingest.ledger.LedgerBatcher;
import io.caduceus.ingest.ledger.LedgerBatcher.Outcome;
import io.caduceus.ingest.ledger.LedgerWriter;
import io.caduceus.ingest.ledger.RetryPolicy;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.pseudonym.PatientPseudonym;
import java.io.IOException;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Committed ledger entries per second on the devnet's real Fabric network, through the {@link LedgerBatcher} (the path
 * the middleware uses) and one transaction per entry, in the same run, with the CPU each Fabric process spent per
 * entry. Prints figures; asserts nothing (speed is measured here, never in a timed test).
 *
 * <pre>
 *   ./caduceus ledger-bench [--entries 50000] [--single 600] [--single-clients 16] [--batch 1000] [--in-flight 4]
 *                           [--delay-ms 250] [--warmup 3000] [--conn devnet/.run/conn]
 * </pre>
 */
public final class FabricLedgerBenchmark {

    private static final SourceSystem SOURCE = new SourceSystem("BENCH", "LEDGER");
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private FabricLedgerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        Path conn = Path.of(options.getOrDefault("conn", "devnet/.run/conn"));
        int entries = Integer.parseInt(options.getOrDefault("entries", "50000"));
        int single = Integer.parseInt(options.getOrDefault("single", "600"));
        int singleClients = Integer.parseInt(options.getOrDefault("single-clients", "16"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "3000"));
        LedgerBatcher.Config config = new LedgerBatcher.Config(
                Integer.parseInt(options.getOrDefault("batch", "1000")),
                Duration.ofMillis(Long.parseLong(options.getOrDefault("delay-ms", "250"))),
                Integer.parseInt(options.getOrDefault("in-flight", "4")),
                RetryPolicy.defaults());
        Properties properties = load(conn.resolve("fabric.properties"));
        Path runDir = conn.getParent();
        System.out.printf("Fabric ledger benchmark: ordering %s, orderers %s; batcher: %d entries or %d ms, %d in flight%n",
                properties.getProperty("fabric.ordering", "?"), properties.getProperty("fabric.orderer.endpoints", "?"),
                config.maxBatchSize(), config.maxBatchDelay().toMillis(), config.maxInFlightBatches());
        try (FabricConnection connection = FabricConnection.open(
                FabricGatewayConfig.fromProperties(properties, "hospital", conn))) {
            LedgerWriter writer = connection.ledgerWriter();
            if (warmup > 0) {
                Result w = batched(writer, config, warmup, runDir);
                System.out.printf("warm-up (not counted): %,d entries at %,.0f/s%n", warmup, w.perSecond());
            }
            Result one = singleEntries(writer, single, singleClients, runDir);
            print("one transaction per entry (" + singleClients + " clients)", one);
            Result many = batched(writer, config, entries, runDir);
            print("batcher", many);
            System.out.printf("batcher / single-entry throughput: %.1fx%n", many.perSecond() / one.perSecond());
        }
    }

    record Result(int entries, Duration elapsed, long[] latenciesMillis, Map<String, Double> cpuMicrosPerEntry,
                  long transactions) {
        double perSecond() {
            return entries / (elapsed.toNanos() / 1e9);
        }
    }

    private static void print(String label, Result r) {
        long[] sorted = r.latenciesMillis().clone();
        Arrays.sort(sorted);
        System.out.printf("%s: %,d entries in %.1f s = %,.0f committed entries/s (%d transactions); entry latency "
                        + "p50 %d ms, p99 %d ms, max %d ms%n", label, r.entries(), r.elapsed().toMillis() / 1000.0,
                r.perSecond(), r.transactions(), pct(sorted, 0.50), pct(sorted, 0.99), sorted[sorted.length - 1]);
        StringBuilder cpu = new StringBuilder("  CPU per entry:");
        r.cpuMicrosPerEntry().forEach((process, micros) -> cpu.append(String.format(" %s %.0f µs;", process, micros)));
        System.out.println(cpu);
    }

    private static long pct(long[] sorted, double q) {
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1))];
    }

    private static Result singleEntries(LedgerWriter writer, int count, int clients, Path runDir) throws Exception {
        List<LedgerEntry> todo = entries(count);
        long[] latencies = new long[count];
        AtomicLong next = new AtomicLong();
        Map<String, Long> cpuBefore = cpu(runDir);
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            done.add(pool.submit(() -> {
                for (int i = (int) next.getAndIncrement(); i < count; i = (int) next.getAndIncrement()) {
                    LedgerEntry entry = todo.get(i);
                    long t = System.nanoTime();
                    RetryPolicy.defaults().call(() -> writer.putEntries(List.of(entry)));
                    latencies[i] = (System.nanoTime() - t) / 1_000_000;
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        return new Result(count, elapsed, latencies, perEntry(cpuBefore, cpu(runDir), count), count);
    }

    private static Result batched(LedgerWriter writer, LedgerBatcher.Config config, int count, Path runDir)
            throws Exception {
        List<LedgerEntry> todo = entries(count);
        long[] offeredAt = new long[count];
        long[] latencies = new long[count];
        CountDownLatch finished = new CountDownLatch(count);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Map<String, Long> cpuBefore = cpu(runDir);
        long start = System.nanoTime();
        long transactions;
        try (LedgerBatcher batcher = new LedgerBatcher(writer, config, (refused, reason) ->
                failure.compareAndSet(null, reason))) {
            for (int i = 0; i < count; i++) {
                int n = i;
                offeredAt[n] = System.nanoTime();
                batcher.accept(todo.get(n), new LedgerBatcher.Position("bench", n), outcome -> {
                    latencies[n] = (System.nanoTime() - offeredAt[n]) / 1_000_000;
                    if (!(outcome instanceof Outcome.Committed)) {
                        failure.compareAndSet(null, new IllegalStateException("entry not committed: " + outcome));
                    }
                    finished.countDown();
                });
            }
            if (!finished.await(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("entries still pending after 30 minutes");
            }
            transactions = batcher.metrics().batchesCommitted();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (failure.get() != null) {
            throw new IllegalStateException("the benchmark's entries were not all committed", failure.get());
        }
        return new Result(count, elapsed, latencies, perEntry(cpuBefore, cpu(runDir), count), transactions);
    }

    private static List<LedgerEntry> entries(int count) {
        List<LedgerEntry> out = new ArrayList<>(count);
        HexFormat hex = HexFormat.of();
        Instant now = Instant.now();
        for (int i = 0; i < count; i++) {
            byte[] id = new byte[16];
            byte[] commitment = new byte[32];
            byte[] pseudonym = new byte[32];
            ThreadLocalRandom.current().nextBytes(id);
            ThreadLocalRandom.current().nextBytes(commitment);
            ThreadLocalRandom.current().nextBytes(pseudonym);
            out.add(new LedgerEntry(new RecordId("r_" + hex.formatHex(id)), Digest.of(commitment), "ADT^A01", SOURCE,
                    now, Optional.of(new PatientPseudonym("pp1_" + hex.formatHex(pseudonym)))));
        }
        return out;
    }

    /** CPU time (µs) of every devnet Fabric process (orderers, peers, chaincode services) and of this JVM. */
    private static Map<String, Long> cpu(Path runDir) throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        Path pids = runDir.resolve("pids");
        if (Files.isDirectory(pids)) {
            try (var files = Files.list(pids)) {
                for (Path file : files.filter(f -> f.getFileName().toString().startsWith("fabric-")
                        && f.getFileName().toString().endsWith(".pid")).sorted().toList()) {
                    String name = file.getFileName().toString().replaceFirst("^fabric-", "").replaceFirst("\\.pid$", "");
                    String pid = Files.readString(file).strip();
                    Path stat = Path.of("/proc", pid, "stat");
                    if (Files.isReadable(stat)) {
                        String[] fields = Files.readString(stat).substring(Files.readString(stat).lastIndexOf(')') + 2)
                                .split(" ");
                        // After the command: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
                        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                        out.put(name, ticks * 1_000_000 / CLOCK_TICKS_PER_SECOND);
                    }
                }
            }
        }
        out.put("client", ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1_000);
        return out;
    }

    private static Map<String, Double> perEntry(Map<String, Long> before, Map<String, Long> after, int entries) {
        Map<String, Double> out = new LinkedHashMap<>();
        after.forEach((name, micros) -> {
            Long was = before.get(name);
            if (was != null) {
                out.put(name, (micros - was) / (double) entries);
            }
        });
        return out;
    }

    private static Properties load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing: bring Fabric up first (devnet/devnet up fabric)");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        return properties;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: --name value ... (see the class comment)");
            }
            out.put(args[i].substring(2), args[++i]);
        }
        return out;
    }
}
