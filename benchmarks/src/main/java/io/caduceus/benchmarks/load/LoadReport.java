package io.caduceus.benchmarks.load;

import java.util.Arrays;

/**
 * What both load tools print about a run and its warm-up, in the same words for HL7 messages and FHIR bundles: the
 * warm-up plan said before anything is sent, the warm-up rounds (until one comes within 5% of the one before, so the
 * JIT's progress is visible rather than hidden in the figures), and latency percentiles (nearest rank).
 */
final class LoadReport {

    static final double WARMUP_SETTLED = 0.05;

    /** A timed run of the warm-up, as its lines show it. */
    interface Run {
        double throughput();

        /** Its rate in a warm-up line ("1,234/s"); {@code round}: a line of an automatic warm-up's round. */
        String rate(boolean round);

        /** What went wrong, as the end of a line ("; ERRORS: …"); empty when nothing did. */
        String problems();
    }

    /** Runs {@code count} requests under {@code runId} and times them. */
    @FunctionalInterface
    interface Driver<E extends Exception> {
        Run drive(int count, String runId) throws E;
    }

    private final String label;
    private final String unit;
    private final int roundSize;
    private final int maxRounds;

    /**
     * @param label     what the warm-up lines start with ("pipeline"), or empty
     * @param unit      what is sent ("messages", "bundles")
     * @param roundSize how many an automatic warm-up sends a round
     * @param maxRounds how many rounds it sends at the most
     */
    LoadReport(String label, String unit, int roundSize, int maxRounds) {
        this.label = label.isEmpty() ? "" : label + " ";
        this.unit = unit;
        this.roundSize = roundSize;
        this.maxRounds = maxRounds;
    }

    /** What the warm-up ({@code --warmup auto|N}) will send, said before anything is sent. */
    String warmUpPlan(String warmup) {
        if (warmup.equals("auto")) {
            return String.format("warm-up first (--warmup auto): rounds of %,d %s until one comes within %.0f%% of the one"
                    + " before, %d rounds (%,d %s) at most; not counted in the figures (--warmup 0: none)",
                    roundSize, unit, WARMUP_SETTLED * 100, maxRounds, roundSize * maxRounds, unit);
        }
        int count = Integer.parseInt(warmup);
        return count == 0 ? "no warm-up (--warmup 0): the figures include the JIT's warm-up"
                : String.format("warm-up first (--warmup %d): %,d %s, not counted in the figures", count, count, unit);
    }

    /**
     * Sends the warm-up ({@code --warmup auto|N}) through {@code driver}, printing each round.
     *
     * @return how many it sent
     */
    <E extends Exception> long warmUp(String warmup, String runId, Driver<E> driver) throws E {
        if (!warmup.equals("auto")) {
            int count = Integer.parseInt(warmup);
            if (count > 0) {
                Run run = driver.drive(count, runId);
                System.out.printf("%swarm-up (not counted): %,d %s at %s%s%n", label, count, unit, run.rate(false),
                        run.problems());
            }
            return count;
        }
        double previous = 0;
        long sent = 0;
        for (int i = 1; i <= maxRounds; i++) {
            Run round = driver.drive(roundSize, runId + i);
            sent += roundSize;
            double throughput = round.throughput();
            boolean settled = previous > 0 && Math.abs(throughput - previous) <= WARMUP_SETTLED * previous;
            System.out.printf("%swarm-up round %d (not counted): %,d %s at %s%s%s%n", label, i, roundSize, unit,
                    round.rate(true), settled ? " (settled)" : i == maxRounds ? " (not settled; measuring anyway)" : "",
                    round.problems());
            if (settled) {
                break;
            }
            previous = throughput;
        }
        System.out.printf("%swarm-up done: %,d %s sent%n", label, sent, unit);
        return sent;
    }

    /** The answered latencies (ns) sorted; 0 stands for a request never answered. */
    static long[] answered(long[] latencies) {
        return Arrays.stream(latencies).filter(l -> l > 0).sorted().toArray();
    }

    /** The {@code p}th percentile (nearest rank) of {@code sorted} latencies, in ms; NaN when there are none. */
    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
