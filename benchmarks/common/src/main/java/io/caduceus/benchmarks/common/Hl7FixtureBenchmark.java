package io.caduceus.benchmarks.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A benchmark run once per HL7 fixture message (ADT^A01, ORU^R01, VXU^V04 from hl7-mappings' test fixtures), all
 * with the same JMH settings: one fork with a fixed 512 MB heap, 3 x 2 s warm-up, 5 x 2 s measured, throughput per
 * second. Caduceus's mapper, its encoders and LinuxForHealth's converter extend it, so their figures compare.
 * Run from the repository root, or point {@code -Dcaduceus.fixtures} at the fixtures folder.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public abstract class Hl7FixtureBenchmark {

    @Param({"ADT_A01", "ORU_R01", "VXU_V04"})
    public String message;

    /** The bytes of this run's fixture message, as stored. */
    protected byte[] fixture() throws IOException {
        Path fixtures = Path.of(System.getProperty("caduceus.fixtures", "hl7-mappings/src/test/resources/fixtures"));
        return Files.readAllBytes(fixtures.resolve(message + ".hl7"));
    }
}
