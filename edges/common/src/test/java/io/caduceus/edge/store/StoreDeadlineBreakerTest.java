package io.caduceus.edge.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.ingest.vault.VaultException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The breaker in front of the store steps: after the store deadline passes three times, messages are refused without
 * their steps being run at all, until a trial after the open time finds the dependency back.
 */
class StoreDeadlineBreakerTest {

    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicBoolean dependencyUp = new AtomicBoolean(false);
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicLong now = new AtomicLong();
    /** How direct:flaky behaves: fails at once, hangs until {@link #recovered}, then succeeds or fails. */
    private final AtomicReference<Flaky> flaky = new AtomicReference<>(Flaky.FAIL);
    private final CountDownLatch recovered = new CountDownLatch(1);
    private CamelContext camel;

    private enum Flaky { FAIL, HANG_THEN_SUCCEED, HANG_THEN_FAIL }

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        RouteBuilder.addRoutes(camel, routes -> routes.from("direct:store").process(e -> {
            attempts.incrementAndGet();
            if (!dependencyUp.get()) {
                released.await(); // a write hanging on a dependency that is down
            }
        }));
        RouteBuilder.addRoutes(camel, routes -> routes.from("direct:flaky").process(e -> {
            Flaky mode = flaky.get();
            if (mode != Flaky.FAIL) {
                recovered.await();
            }
            if (mode != Flaky.HANG_THEN_SUCCEED) {
                throw new VaultException("connection refused", true);
            }
        }));
        camel.start();
    }

    @AfterEach
    void stop() {
        released.countDown();
        recovered.countDown();
        camel.stop();
    }

    /** Opens the breaker with three quick dependency failures and moves the clock past its open time. */
    private StoreDeadline openedThenDue(Duration storeTimeout) {
        StoreBreaker breaker = new StoreBreaker(3, Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofMillis(100),
                now::get);
        StoreDeadline deadline = new StoreDeadline(camel, storeTimeout, 16, breaker);
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> deadline.within(message(), "direct:flaky")).isInstanceOf(VaultException.class);
        }
        assertThat(deadline.breakerState()).isEqualTo(StoreBreaker.State.OPEN.ordinal());
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        return deadline;
    }

    @Test
    @Timeout(30) // the store deadline is ten minutes: a trial sender waiting it would fail here
    void theTrialsSenderWaitsOnlyTheTrialTimeoutAndTheBreakerClosesWhenTheTrialIsStoredAfterAll() throws Exception {
        try (StoreDeadline deadline = openedThenDue(Duration.ofMinutes(10))) {
            flaky.set(Flaky.HANG_THEN_SUCCEED);
            assertThatThrownBy(() -> deadline.within(message(), "direct:flaky")).isInstanceOf(StoreTimeoutException.class)
                    .hasMessageContaining("within 100 ms");
            assertThat(deadline.breakerState()).as("still waiting on the trial's own outcome")
                    .isEqualTo(StoreBreaker.State.HALF_OPEN.ordinal());
            assertThatThrownBy(() -> deadline.within(message(), "direct:flaky"))
                    .as("the others are refused at once meanwhile").isInstanceOf(StoreRefusedException.class);

            recovered.countDown(); // the dependency answers the trial's write late: it is back
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> deadline.breakerState() == 0);
            deadline.within(message(), "direct:flaky");
            assertThat(deadline.breakerStatus()).containsEntry("timesOpened", 1L).containsEntry("trialTimeoutMillis", 100L);
        }
    }

    @Test
    @Timeout(30)
    void aTrialThatFailsAfterItsSenderWasAnsweredOpensTheBreakerAgain() throws Exception {
        try (StoreDeadline deadline = openedThenDue(Duration.ofMinutes(10))) {
            flaky.set(Flaky.HANG_THEN_FAIL);
            assertThatThrownBy(() -> deadline.within(message(), "direct:flaky")).isInstanceOf(StoreTimeoutException.class);
            recovered.countDown();
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> deadline.breakerState() == StoreBreaker.State.OPEN.ordinal());
            assertThatThrownBy(() -> deadline.within(message(), "direct:flaky")).as("open for another open time")
                    .isInstanceOf(StoreRefusedException.class);
            assertThat(deadline.breakerStatus()).containsEntry("timesOpened", 1L).containsEntry("lastFailure", "VaultException");
        }
    }

    @Test
    @Timeout(30)
    void aTrialStillRunningAtTheStoreDeadlineCountsAsFailed() throws Exception {
        try (StoreDeadline deadline = openedThenDue(Duration.ofMillis(500))) {
            flaky.set(Flaky.HANG_THEN_SUCCEED); // never released during the test: a write hanging on a dead dependency
            assertThatThrownBy(() -> deadline.within(message(), "direct:flaky")).isInstanceOf(StoreTimeoutException.class)
                    .hasMessageContaining("within 100 ms");
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> deadline.breakerState() == StoreBreaker.State.OPEN.ordinal());
            assertThat(deadline.breakerStatus()).containsEntry("lastFailure", "StoreTimeoutException");
        }
    }

    @Test
    void aTrialSucceedingWithinItsTimeoutHasClosedTheBreakerWhenItsSenderIsAnswered() throws Exception {
        try (StoreDeadline deadline = openedThenDue(Duration.ofMinutes(10))) {
            flaky.set(Flaky.HANG_THEN_SUCCEED);
            recovered.countDown();
            deadline.within(message(), "direct:flaky");
            assertThat(deadline.breakerState()).isEqualTo(StoreBreaker.State.CLOSED.ordinal());
        }
    }

    @Test
    void refusesWithoutTryingOnceOpenAndLetsATrialThroughAfterTheOpenTime() throws Exception {
        StoreBreaker breaker = new StoreBreaker(3, Duration.ofSeconds(15), Duration.ofSeconds(2), now::get);
        try (StoreDeadline deadline = new StoreDeadline(camel, Duration.ofMillis(100), 16, breaker)) {
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> deadline.within(message(), "direct:store")).isInstanceOf(StoreTimeoutException.class);
            }
            assertThat(deadline.breakerState()).isEqualTo(StoreBreaker.State.OPEN.ordinal());
            for (int i = 0; i < 20; i++) {
                assertThatThrownBy(() -> deadline.within(message(), "direct:store")).isInstanceOf(StoreRefusedException.class);
            }
            assertThat(attempts).as("refused messages never reach the vault or Kafka").hasValue(3);
            assertThat(deadline.breakerRefused()).isEqualTo(20);
            assertThat(deadline.timedOut()).isEqualTo(3);

            dependencyUp.set(true);
            now.addAndGet(Duration.ofSeconds(2).toNanos());
            deadline.within(message(), "direct:store");
            assertThat(attempts).as("the trial").hasValue(4);
            assertThat(deadline.breakerStatus()).containsEntry("state", "CLOSED").containsEntry("timesOpened", 1L);
            deadline.within(message(), "direct:store");
            assertThat(attempts).hasValue(5);
        }
    }

    private Exchange message() {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody("MSH|...");
        return exchange;
    }
}
