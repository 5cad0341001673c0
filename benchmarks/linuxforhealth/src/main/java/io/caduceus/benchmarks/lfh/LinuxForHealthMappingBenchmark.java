package io.caduceus.benchmarks.lfh;

import io.github.linuxforhealth.hl7.ConverterOptions;
import io.github.linuxforhealth.hl7.HL7ToFHIRConverter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * LinuxForHealth's hl7v2-fhir-converter on the same fixtures as Caduceus's MappingBenchmark, measured the same way
 * (one thread, HL7 text in, serialized FHIR bundle out). Run from the repository root:
 * {@code java -jar benchmarks/linuxforhealth/target/benchmarks-linuxforhealth.jar}.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LinuxForHealthMappingBenchmark {

    @Param({"ADT_A01", "ORU_R01", "VXU_V04"})
    public String message;

    private String hl7;
    private HL7ToFHIRConverter converter;

    @Setup
    public void load() throws IOException {
        Path fixtures = Path.of(System.getProperty("caduceus.fixtures", "hl7-mappings/src/test/resources/fixtures"));
        // The converter expects CR segment separators, as HL7 defines them.
        hl7 = Files.readString(fixtures.resolve(message + ".hl7"), StandardCharsets.UTF_8).replace("\r\n", "\r").replace('\n', '\r');
        converter = new HL7ToFHIRConverter();
        String bundle = converter.convert(hl7, ConverterOptions.SIMPLE_OPTIONS);
        if (bundle == null || !bundle.contains("\"Bundle\"")) {
            throw new IllegalStateException(message + " is not converted by LinuxForHealth");
        }
    }

    @Benchmark
    public String convert() {
        return converter.convert(hl7, ConverterOptions.SIMPLE_OPTIONS);
    }
}
