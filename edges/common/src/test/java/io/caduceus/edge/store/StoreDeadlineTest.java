package io.caduceus.edge.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StoreDeadlineTest {

    /** Held by the "stuck" route until the test lets it finish, like a write waiting on a dependency that is down. */
    private final CountDownLatch dependencyBack = new CountDownLatch(1);
    private final CountDownLatch stuckFinished = new CountDownLatch(1);
    private CamelContext camel;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        // A lambda, not a RouteBuilder subclass: Camel Main in other tests of this module scans for those.
        RouteBuilder.addRoutes(camel, routes -> {
            routes.from("direct:stores").setProperty("recordId", routes.constant("r2_x"))
                    .setHeader("kafka.KEY", routes.constant("r2_x")).setBody(routes.constant("ledger entry"));
            routes.from("direct:rejects").setProperty("seen", routes.constant(true))
                    .throwException(new IllegalArgumentException("content at fault"));
            routes.from("direct:stuck").process(e -> {
                dependencyBack.await();
                stuckFinished.countDown();
            });
        });
        camel.start();
    }

    @AfterEach
    void stop() {
        dependencyBack.countDown();
        camel.stop();
    }

    private Exchange message() {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody("MSH|...");
        exchange.setProperty("mapping", "kept");
        return exchange;
    }

    @Test
    void stepsThatFinishInTimeHandTheirResultsBack() throws Exception {
        try (StoreDeadline deadline = new StoreDeadline(camel, Duration.ofSeconds(5), 4)) {
            Exchange exchange = message();
            deadline.within(exchange, "direct:stores");
            assertThat(exchange.getMessage().getBody(String.class)).isEqualTo("ledger entry");
            assertThat(exchange.getMessage().getHeader("kafka.KEY")).isEqualTo("r2_x");
            assertThat(exchange.getProperty("recordId")).isEqualTo("r2_x");
            assertThat(exchange.getProperty("mapping")).isEqualTo("kept");
            assertThat(exchange.getException()).isNull();
            assertThat(deadline.timedOut()).isZero();
        }
    }

    @Test
    void whatTheStepsThrowIsRethrownAsItsOwnTypeForTheRoutesCatches() throws Exception {
        try (StoreDeadline deadline = new StoreDeadline(camel, Duration.ofSeconds(5), 4)) {
            Exchange exchange = message();
            assertThatThrownBy(() -> deadline.within(exchange, "direct:rejects"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("content at fault");
            assertThat(exchange.getProperty("seen")).as("properties set before the failure reach the catch").isEqualTo(true);
            assertThat(exchange.getException()).isNull();
        }
    }

    @Test
    void stepsStillWaitingAtTheDeadlineGiveAStoreTimeoutAndFinishOnTheirOwn() throws Exception {
        try (StoreDeadline deadline = new StoreDeadline(camel, Duration.ofMillis(200), 4)) {
            Exchange exchange = message();
            long started = System.nanoTime();
            assertThatThrownBy(() -> deadline.within(exchange, "direct:stuck")).isInstanceOf(StoreTimeoutException.class)
                    .hasMessageContaining("within 200 ms");
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(waitedMillis).isBetween(200L, 5_000L);
            assertThat(deadline.timedOut()).isEqualTo(1);
            assertThat(exchange.getMessage().getBody(String.class)).as("the caller's exchange is left alone").isEqualTo("MSH|...");
            assertThat(deadline.busyWorkers()).isEqualTo(1);

            dependencyBack.countDown();
            assertThat(stuckFinished.await(5, TimeUnit.SECONDS)).as("the overrunning write was not abandoned").isTrue();
        }
    }

    @Test
    void whenEveryWorkerIsStuckTheNextMessageIsRefusedAtOnce() throws Exception {
        try (StoreDeadline deadline = new StoreDeadline(camel, Duration.ofSeconds(2), 1)) {
            assertThatThrownBy(() -> deadline.within(message(), "direct:stuck")).isInstanceOf(StoreTimeoutException.class);
            long started = System.nanoTime();
            assertThatThrownBy(() -> deadline.within(message(), "direct:stores")).isInstanceOf(StoreTimeoutException.class)
                    .hasMessageContaining("no store worker free");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("not held until the deadline")
                    .isLessThan(1_500);
            assertThat(deadline.refusedBusy()).isEqualTo(1);

            dependencyBack.countDown();
            stuckFinished.await(5, TimeUnit.SECONDS);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> deadline.busyWorkers() == 0);
            Exchange exchange = message();
            deadline.within(exchange, "direct:stores");
            assertThat(exchange.getMessage().getBody(String.class)).isEqualTo("ledger entry");
        }
    }

    @Test
    void aTimeoutThatIsNotPositiveIsRefused() {
        assertThatThrownBy(() -> new StoreDeadline(camel, Duration.ZERO, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
