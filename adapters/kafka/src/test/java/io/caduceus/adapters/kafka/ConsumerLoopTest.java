package io.caduceus.adapters.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ConsumerLoopTest {

    private static final TopicPartition PARTITION = new TopicPartition("t", 0);

    @Test
    void aFailedPassIsTheProblemUntilANewConsumerReadsAgainAndStopWakesIt() throws Exception {
        ConsumerLoop loop = new ConsumerLoop(LoggerFactory.getLogger(ConsumerLoopTest.class), "testing", "retrying",
                IllegalStateException.class);
        List<MockConsumer<String, byte[]>> made = new CopyOnWriteArrayList<>();
        AtomicInteger passes = new AtomicInteger();
        CountDownLatch reading = new CountDownLatch(1);
        Thread thread = new Thread(() -> loop.run(() -> {
            MockConsumer<String, byte[]> c = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
            c.assign(List.of(PARTITION));
            c.updateBeginningOffsets(Map.of(PARTITION, 0L));
            made.add(c);
            return c;
        }, c -> {
            if (passes.incrementAndGet() == 1) {
                throw new IllegalStateException("not yet");
            }
            reading.countDown();
            while (loop.running()) {
                c.poll(Duration.ofMillis(20));
            }
            return false;
        }));
        thread.start();

        assertThat(reading.await(10, TimeUnit.SECONDS)).as("a second pass after the pause").isTrue();
        assertThat(loop.problem()).isEqualTo("not yet");
        loop.recovered();
        assertThat(loop.problem()).isNull();

        loop.stop(thread, 10_000);
        assertThat(thread.isAlive()).isFalse();
        assertThat(passes).hasValue(2);
        assertThat(made).hasSize(2).allMatch(MockConsumer::closed);
    }

    @Test
    void anUnexpectedFailureIsNamedByItsClass() throws Exception {
        ConsumerLoop loop = new ConsumerLoop(LoggerFactory.getLogger(ConsumerLoopTest.class), "testing", "retrying",
                IllegalStateException.class);
        CountDownLatch failed = new CountDownLatch(1);
        Thread thread = new Thread(() -> loop.run(() -> new MockConsumer<String, byte[]>(OffsetResetStrategy.EARLIEST),
                c -> {
                    failed.countDown();
                    throw new IllegalArgumentException("broken");
                }));
        thread.start();
        assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
        loop.stop(thread, 10_000);
        assertThat(thread.isAlive()).as("a stop cuts the pause short").isFalse();
        assertThat(loop.problem()).isEqualTo("IllegalArgumentException: broken");
    }
}
