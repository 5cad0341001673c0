package io.caduceus.benchmarks.mapping;

import io.caduceus.benchmarks.common.Hl7FixtureBenchmark;
import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.hl7.mapping.Hl7ToFhirMapper;
import io.caduceus.hl7.mapping.MappingMode;
import io.caduceus.hl7.mapping.MappingResult;
import io.caduceus.hl7.v2.Hl7Message;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * Caduceus's HL7 v2 to FHIR mapping, one thread, HL7 bytes in, canonical (RFC 8785) bundle bytes out. The same
 * fixtures as LinuxForHealthMappingBenchmark in benchmarks/linuxforhealth, for a side-by-side figure. Run from the
 * repository root: {@code java -jar benchmarks/target/benchmarks.jar MappingBenchmark}.
 */
public class MappingBenchmark extends Hl7FixtureBenchmark {

    private byte[] hl7;
    private Hl7ToFhirMapper mapper;

    @Setup
    public void load() throws Exception {
        hl7 = fixture();
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
