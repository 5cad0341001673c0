package io.caduceus.edge.fhir;

import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Lets at most as many validations run at once as the JVM has cores. HAPI's validator is CPU-bound and does less, not
 * more, on more threads than cores: FhirValidationBenchmark on this project's 2-core machines validated about 270
 * bundles/s on 2 threads and about 100 on 8, which is what 8 FHIR clients made of the middleware's HTTP workers. A
 * request past the limit waits its turn (first come, first served) before its validation, not during it.
 */
final class ValidationGate {

    private final Semaphore permits;
    private final int limit;

    private ValidationGate(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("at least one validation must be allowed at a time");
        }
        this.limit = limit;
        this.permits = new Semaphore(limit, true);
    }

    /** {@code configured} validations at once, or one per core when it is 0 or less. */
    static ValidationGate of(int configured) {
        return new ValidationGate(configured > 0 ? configured : Runtime.getRuntime().availableProcessors());
    }

    int limit() {
        return limit;
    }

    <T> T run(Supplier<T> validation) {
        permits.acquireUninterruptibly();
        try {
            return validation.get();
        } finally {
            permits.release();
        }
    }
}
