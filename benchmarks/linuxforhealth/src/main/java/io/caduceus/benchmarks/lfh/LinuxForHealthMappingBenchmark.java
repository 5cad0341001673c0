package io.caduceus.benchmarks.lfh;

import io.caduceus.benchmarks.common.Hl7FixtureBenchmark;
import io.github.linuxforhealth.hl7.ConverterOptions;
import io.github.linuxforhealth.hl7.HL7ToFHIRConverter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * LinuxForHealth's hl7v2-fhir-converter on the same fixtures as Caduceus's MappingBenchmark, measured the same way
 * (one thread, HL7 text in, serialized FHIR bundle out). Run from the repository root:
 * {@code java -jar benchmarks/linuxforhealth/target/benchmarks-linuxforhealth.jar}.
 */
public class LinuxForHealthMappingBenchmark extends Hl7FixtureBenchmark {

    private String hl7;
    private HL7ToFHIRConverter converter;

    @Setup
    public void load() throws IOException {
        // The converter expects CR segment separators, as HL7 defines them.
        hl7 = new String(fixture(), StandardCharsets.UTF_8).replace("\r\n", "\r").replace('\n', '\r');
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
