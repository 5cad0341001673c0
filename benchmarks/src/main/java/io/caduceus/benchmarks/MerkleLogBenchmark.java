package io.caduceus.benchmarks;

import io.caduceus.core.hash.Digest;
import io.caduceus.core.merkle.ConsistencyProof;
import io.caduceus.core.merkle.InclusionProof;
import io.caduceus.core.merkle.MerkleLog;
import io.caduceus.core.merkle.MerkleLogs;
import io.caduceus.core.merkle.MerkleProofs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The disk-backed Merkle log: appends per second, and proof generation and verification in a log of
 * {@code leaves} leaves (1 million by default; {@code -p leaves=10000000} for the 10 million figure).
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class MerkleLogBenchmark {

    /** A log that grows during the benchmark: measures append cost including the pair completions up the tree. */
    @State(Scope.Benchmark)
    public static class Appending {
        Path dir;
        MerkleLog log;
        byte[] commitment = new byte[32];
        long counter;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = Files.createTempDirectory("merkle-append");
            log = MerkleLogs.open(dir);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            log.flush();
            log.close();
            deleteTree(dir);
        }
    }

    /** A log filled once per trial, then queried. */
    @State(Scope.Benchmark)
    public static class Filled {
        @Param({"1000000"})
        public long leaves;

        Path dir;
        MerkleLog log;
        Digest root;
        InclusionProof proof;
        Digest provenLeaf;
        ConsistencyProof consistency;
        Digest firstRoot;
        final SplittableRandom random = new SplittableRandom(42);

        @Setup(Level.Trial)
        public void fill() throws IOException {
            dir = Files.createTempDirectory("merkle-filled");
            log = MerkleLogs.open(dir);
            byte[] commitment = new byte[32];
            for (long i = 0; i < leaves; i++) {
                commitment[0] = (byte) i;
                commitment[1] = (byte) (i >> 8);
                commitment[2] = (byte) (i >> 16);
                commitment[3] = (byte) (i >> 24);
                log.append(commitment);
            }
            log.flush();
            root = log.root(leaves);
            long index = leaves / 3 + 1;
            proof = log.inclusionProof(index, leaves);
            provenLeaf = log.leafHash(index);
            consistency = log.consistencyProof(leaves / 2 + 3, leaves);
            firstRoot = log.root(leaves / 2 + 3);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            log.close();
            deleteTree(dir);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long append(Appending state) {
        long n = state.counter++;
        state.commitment[0] = (byte) n;
        state.commitment[1] = (byte) (n >> 8);
        state.commitment[2] = (byte) (n >> 16);
        return state.log.append(state.commitment);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public InclusionProof inclusionProof(Filled state) {
        return state.log.inclusionProof(state.random.nextLong(state.leaves), state.leaves);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public boolean verifyInclusion(Filled state) {
        return MerkleProofs.verifyInclusion(state.provenLeaf, state.proof, state.root);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public ConsistencyProof consistencyProof(Filled state) {
        long first = 1 + state.random.nextLong(state.leaves - 1);
        return state.log.consistencyProof(first, state.leaves);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public boolean verifyConsistency(Filled state) {
        return MerkleProofs.verifyConsistency(state.consistency, state.firstRoot, state.root);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Digest rootOfWholeLog(Filled state) {
        return state.log.root(state.leaves);
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
