package io.caduceus.edge.fhir;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.benchmarks.load.FhirBundles;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The FHIR inbound path's validator alone, configured as the middleware configures it (R4 base profiles, in-memory
 * terminology, any extension allowed; the heap and collector of routes/jvm.options and the devnet), on the load tool's transaction bundles of 10 resources: the most bundles per
 * second this machine can validate with nothing else running, which bounds what {@code ./caduceus load --fhir} can
 * reach with the whole pipeline and the devnet on the same cores. Lives in the edge's package because the validator
 * is not public API. Run from the repository root with the thread count to measure:
 * {@code java -jar benchmarks/target/benchmarks.jar FhirValidationBenchmark -t 1} (and {@code -t 2}); resources/s
 * is ten times the score.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20", "-XX:-G1UseAdaptiveIHOP", "-XX:InitiatingHeapOccupancyPercent=70"})
@Warmup(iterations = 5, time = 4)
@Measurement(iterations = 5, time = 4)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FhirValidationBenchmark {

    /** Distinct bundles, as the load tool sends (no two alike), cycled so building them is not measured. */
    private static final int BUNDLES = 2_000;

    private ProfileValidator validator;
    private String[] bundles;

    @Setup
    public void build() {
        validator = ProfileValidator.create(FhirContext.forR4Cached(), null);
        bundles = new String[BUNDLES];
        for (int i = 0; i < BUNDLES; i++) {
            bundles[i] = FhirBundles.bundle("validation-benchmark", i, 10);
        }
        List<FhirRejection.Issue> issues = validator.validate(bundles[0], "Bundle");
        if (!issues.isEmpty()) {
            // A bundle the validator refuses stops early and would flatter the figure.
            throw new IllegalStateException("the load tool's bundle does not validate: " + issues);
        }
    }

    /** Each measuring thread walks the bundles from its own starting point. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup(Level.Trial)
        public void start() {
            next = (int) (Thread.currentThread().getId() * 397 % BUNDLES);
        }
    }

    @Benchmark
    public List<FhirRejection.Issue> validateTransactionBundle(Cursor cursor) {
        String bundle = bundles[cursor.next];
        cursor.next = (cursor.next + 1) % BUNDLES;
        return validator.validate(bundle, "Bundle");
    }
}
