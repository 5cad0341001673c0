package io.caduceus.benchmarks.mapping;

import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.hl7.mapping.Hl7ToFhirMapper;
import io.caduceus.hl7.mapping.MappingMode;
import io.caduceus.hl7.mapping.MappingResult;
import io.caduceus.hl7.v2.Hl7Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
 * Caduceus's HL7 v2 to FHIR mapping, one thread, HL7 bytes in, canonical (RFC 8785) bundle bytes out. The same
 * fixtures as LinuxForHealthMappingBenchmark in benchmarks/linuxforhealth, for a side-by-side figure. Run from the
 * repository root: {@code java -jar benchmarks/target/benchmarks.jar MappingBenchmark}.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MappingBenchmark {

    @Param({"ADT_A01", "ORU_R01", "VXU_V04"})
    public String message;

    private byte[] hl7;
    private Hl7ToFhirMapper mapper;

    @Setup
    public void load() throws Exception {
        Path fixtures = Path.of(System.getProperty("caduceus.fixtures", "hl7-mappings/src/test/resources/fixtures"));
        hl7 = Files.readAllBytes(fixtures.resolve(message + ".hl7"));
        mapper = Hl7ToFhirMapper.builder()
                .resourceIdKey(new DeploymentKeys(new byte[32]).keyFor(DeploymentKeys.Purpose.RESOURCE_ID)).build();
        mapper.map(hl7);
    }

    @Benchmark
    public byte[] map() throws Exception {
        MappingResult result = mapper.map(hl7);
        return result.canonicalJson();
    }

    /** As the middleware maps for senders not configured strict (the default). */
    @Benchmark
    public byte[] mapLenient() throws Exception {
        MappingResult result = mapper.map(Hl7Message.parse(hl7), MappingMode.LENIENT);
        return result.canonicalJson();
    }
}
