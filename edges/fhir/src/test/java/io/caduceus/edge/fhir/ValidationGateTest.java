package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ValidationGateTest {

    @Test
    void noMoreValidationsRunAtOnceThanTheLimitAndEveryOneRuns() throws Exception {
        ValidationGate gate = ValidationGate.of(2);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        CountDownLatch allStarted = new CountDownLatch(8);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                results.add(clients.submit(() -> {
                    allStarted.countDown();
                    allStarted.await();
                    return gate.run(() -> {
                        mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        running.decrementAndGet();
                        return n;
                    });
                }));
            }
            int sum = 0;
            for (Future<Integer> result : results) {
                sum += result.get(10, TimeUnit.SECONDS);
            }
            assertThat(sum).isEqualTo(28);
            assertThat(mostAtOnce.get()).isEqualTo(2);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aPermitIsGivenBackWhenTheValidationThrows() {
        ValidationGate gate = ValidationGate.of(1);
        assertThatThrownBy(() -> gate.run(() -> {
            throw new IllegalStateException("validator gave up");
        })).hasMessage("validator gave up");
        assertThat(gate.run(() -> "next")).isEqualTo("next");
    }

    @Test
    void zeroMeansOnePerCore() {
        assertThat(ValidationGate.of(0).limit()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }
}
