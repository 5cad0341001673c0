package io.caduceus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load tools' printed reports, word for word: README, docs/performance.md and the runbooks quote them, and
 * people compare runs by them, so the HL7 and FHIR reports may not drift while sharing their code.
 */
@Timeout(60)
class LoadReportTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream stdout;
    private Locale locale;

    @BeforeEach
    void capture() {
        stdout = System.out;
        locale = Locale.getDefault();
        Locale.setDefault(Locale.ROOT);
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(stdout);
        Locale.setDefault(locale);
    }

    private String printed() {
        return out.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }

    private static Map<Integer, Long> statuses(Object... pairs) {
        Map<Integer, Long> m = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((Integer) pairs[i], (Long) pairs[i + 1]);
        }
        return m;
    }

    @Test
    void theFhirFiguresAreWordForWord() {
        long[] latencies = new long[1_000];
        for (int i = 0; i < latencies.length; i++) {
            latencies[i] = i == 7 ? 0 : 1_000_000L + i * 37_913L;
        }
        new FhirLoadTool.Result(1_000, 10, 2_345_000_000L, latencies, statuses(200, 997L, 503, 2L), List.of(new IOException("reset")))
                .print("Caduceus FHIR inbound");
        new FhirLoadTool.Result(3, 1, 1_000_000_000L, new long[] {4_000_000L, 2_000_000L, 3_000_000L}, statuses(200, 3L), List.of())
                .print("clean");
        new FhirLoadTool.Result(2, 1, 1_000_000_000L, new long[2], statuses(), List.of()).print("none answered");

        assertThat(printed()).isEqualTo("""
                Caduceus FHIR inbound:
                  1,000 bundles (10,000 resources) in 2.35 s = 426.4 bundles/s, 4,264 resources/s; HTTP statuses {200=997, 503=2}; errors 3 (connection failures 1, first: java.io.IOException: reset)
                  latency per bundle ms: p50 20.0  p95 37.0  p99 38.5  max 38.9
                clean:
                  3 bundles (3 resources) in 1.00 s = 3.0 bundles/s, 3 resources/s; HTTP statuses {200=3}; errors 0
                  latency per bundle ms: p50 3.0  p95 4.0  p99 4.0  max 4.0
                none answered:
                  2 bundles (2 resources) in 1.00 s = 2.0 bundles/s, 2 resources/s; HTTP statuses {}; errors 2
                  latency per bundle ms: p50 NaN  p95 NaN  p99 NaN  max NaN
                """);
    }

    @Test
    void theHl7FiguresAreWordForWord() {
        long[] latencies = new long[10_000];
        for (int i = 0; i < latencies.length; i++) {
            latencies[i] = i % 1_000 == 3 ? 0 : 500_000L + i * 1_234L;
        }
        new MllpLoadTool.Result(10_000, 3_210_000_000L, latencies, Map.of("AA", 9_990L), List.of(new IOException("gone")))
                .print("Caduceus pipeline");
        new MllpLoadTool.Result(2, 1_000_000_000L, new long[2], Map.of(), List.of()).print("none answered");

        assertThat(printed()).isEqualTo("""
                Caduceus pipeline:
                  10,000 messages in 3.21 s = 3,115 messages/s acknowledged; ACK codes {AA=9990}; connection failures: 1 (first: gone)
                  ACK latency ms: p50 6.67  p90 11.60  p99 12.72  p99.9 12.83  max 12.84
                none answered:
                  2 messages in 1.00 s = 2 messages/s acknowledged; ACK codes {}
                """);
    }

    @Test
    void theWarmUpPlansAreWordForWord() {
        assertThat(FhirLoadTool.warmUpPlan("auto")).isEqualTo("warm-up first (--warmup auto): rounds of 1,000 bundles until one"
                + " comes within 5% of the one before, 8 rounds (8,000 bundles) at most; not counted in the figures (--warmup 0: none)");
        assertThat(FhirLoadTool.warmUpPlan("1200")).isEqualTo("warm-up first (--warmup 1200): 1,200 bundles, not counted in the figures");
        assertThat(FhirLoadTool.warmUpPlan("0")).isEqualTo("no warm-up (--warmup 0): the figures include the JIT's warm-up");
        assertThat(MllpLoadTool.warmUpPlan("auto")).isEqualTo("warm-up first (--warmup auto): rounds of 25,000 messages until one"
                + " comes within 5% of the one before, 10 rounds (250,000 messages) at most; not counted in the figures (--warmup 0: none)");
        assertThat(MllpLoadTool.warmUpPlan("1200")).isEqualTo("warm-up first (--warmup 1200): 1,200 messages, not counted in the figures");
        assertThat(MllpLoadTool.warmUpPlan("0")).isEqualTo("no warm-up (--warmup 0): the figures include the JIT's warm-up");
    }

    @Test
    void theFhirWarmUpLinesKeepTheirShape() {
        FhirLoadTool.Sender ok = (body, entries) -> 200;
        FhirLoadTool.warmUp(ok, "12", 3, 1, "f", 1_000, 8, MessageLog.NONE);
        FhirLoadTool.warmUp(ok, "auto", 3, 1, "a", 20, 2, MessageLog.NONE);
        FhirLoadTool.warmUp((body, entries) -> 503, "5", 1, 1, "e", 1_000, 8, MessageLog.NONE);

        List<String> lines = printed().lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).matches("warm-up \\(not counted\\): 12 bundles at [\\d,]+\\.\\d/s");
        assertThat(lines.get(1)).matches("warm-up round 1 \\(not counted\\): 20 bundles at [\\d,]+\\.\\d/s, p99 \\d+\\.\\d ms");
        assertThat(lines.get(2)).matches("warm-up round 2 \\(not counted\\): 20 bundles at [\\d,]+\\.\\d/s, p99 \\d+\\.\\d ms"
                + " \\((settled|not settled; measuring anyway)\\)");
        assertThat(lines.get(3)).isEqualTo("warm-up done: 40 bundles sent");
        assertThat(lines.get(4)).matches("warm-up \\(not counted\\): 5 bundles at [\\d,]+\\.\\d/s; ERRORS: 5 \\{503=5}");
    }

    @Test
    void theHl7WarmUpLinesKeepTheirShape() throws Exception {
        try (HapiAckListener listener = HapiAckListener.start()) {
            MllpLoadTool.warmUp("pipeline", "127.0.0.1", listener.port(), 2, "12", "f", 100, 3, MessageLog.NONE);
            MllpLoadTool.warmUp("ceiling", "127.0.0.1", listener.port(), 2, "auto", "a", 20, 2, MessageLog.NONE);
        }

        List<String> lines = printed().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).matches("pipeline warm-up \\(not counted\\): 12 messages at [\\d,]+/s");
        assertThat(lines.get(1)).matches("ceiling warm-up round 1 \\(not counted\\): 20 messages at [\\d,]+/s");
        assertThat(lines.get(2)).matches("ceiling warm-up round 2 \\(not counted\\): 20 messages at [\\d,]+/s"
                + " \\((settled|not settled; measuring anyway)\\)");
        assertThat(lines.get(3)).isEqualTo("ceiling warm-up done: 40 messages sent");
    }
}
