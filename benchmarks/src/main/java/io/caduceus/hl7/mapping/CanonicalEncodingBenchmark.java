package io.caduceus.hl7.mapping;

import io.caduceus.core.keys.DeploymentKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Bundle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two ways of turning a mapped Bundle into canonical bytes, side by side in one run so that a shared, noisy
 * machine affects both alike: HAPI's JSON encoder followed by the RFC 8785 canonicalizer, and the direct writer
 * the mapper now uses. In the mapper's package because both entry points are package-private. Run from the
 * repository root: {@code java -jar benchmarks/target/benchmarks.jar CanonicalEncodingBenchmark}.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CanonicalEncodingBenchmark {

    @Param({"ADT_A01", "ORU_R01", "VXU_V04"})
    public String message;

    private Bundle bundle;

    @Setup
    public void map() throws Exception {
        Path fixtures = Path.of(System.getProperty("caduceus.fixtures", "hl7-mappings/src/test/resources/fixtures"));
        bundle = Hl7ToFhirMapper.builder()
                .resourceIdKey(new DeploymentKeys(new byte[32]).keyFor(DeploymentKeys.Purpose.RESOURCE_ID)).build().map(Files.readAllBytes(fixtures.resolve(message + ".hl7")))
                .bundle();
    }

    @Benchmark
    public byte[] hapiEncoderThenCanonicalizer() {
        return Hl7ToFhirMapper.canonicalJsonThroughHapi(bundle);
    }

    @Benchmark
    public byte[] directCanonicalWriter() {
        return Hl7ToFhirMapper.canonicalJson(bundle);
    }
}
