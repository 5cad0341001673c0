package io.caduceus.edge.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The breaker in front of the store steps: after the store deadline passes three times, messages are refused without
 * their steps being run at all, until a trial after the open time finds the dependency back.
 */
class StoreDeadlineBreakerTest {

    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicBoolean dependencyUp = new AtomicBoolean(false);
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicLong now = new AtomicLong();
    private CamelContext camel;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        RouteBuilder.addRoutes(camel, routes -> routes.from("direct:store").process(e -> {
            attempts.incrementAndGet();
            if (!dependencyUp.get()) {
                released.await(); // a write hanging on a dependency that is down
            }
        }));
        camel.start();
    }

    @AfterEach
    void stop() {
        released.countDown();
        camel.stop();
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
