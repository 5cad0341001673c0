package io.caduceus.hl7.mapping;

import io.caduceus.benchmarks.common.Hl7FixtureBenchmark;
import io.caduceus.core.keys.DeploymentKeys;
import org.hl7.fhir.r4.model.Bundle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * The two ways of turning a mapped Bundle into canonical bytes, side by side in one run so that a shared, noisy
 * machine affects both alike: HAPI's JSON encoder followed by the RFC 8785 canonicalizer, and the direct writer
 * the mapper now uses. In the mapper's package because both entry points are package-private. Run from the
 * repository root: {@code java -jar benchmarks/target/benchmarks.jar CanonicalEncodingBenchmark}.
 */
public class CanonicalEncodingBenchmark extends Hl7FixtureBenchmark {

    private Bundle bundle;

    @Setup
    public void map() throws Exception {
        bundle = Hl7ToFhirMapper.builder()
                .resourceIdKey(new DeploymentKeys(new byte[32]).keyFor(DeploymentKeys.Purpose.RESOURCE_ID)).build().map(fixture())
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
