package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.VaultException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GroupCommitWriterTest {

    private static final class Task extends GroupCommitWriter.Task {
        final int n;

        Task(int n) {
            this.n = n;
        }
    }

    /** Records batches; the first batch waits for the gate so that the rest can queue up behind it. */
    private static final class Recorder implements GroupCommitWriter.Batches<Task> {
        final List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch gate = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void write(List<Task> batch) {
            if (batches.isEmpty()) {
                entered.countDown();
                await(gate);
            }
            batches.add(batch.stream().map(t -> t.n).toList());
            batch.forEach(t -> t.done.complete(t.n));
            events.add("write " + batch.size());
        }

        @Override
        public void stopped() {
            events.add("stopped");
        }
    }

    private static GroupCommitWriter<Task> writer(GroupCommitWriter.Batches<Task> batches, int maxBatch) {
        return new GroupCommitWriter<>("test-writer", maxBatch, batches, () -> new VaultException("closed", false));
    }

    @Test
    void whatQueuesWhileABatchIsWrittenGoesInTheNextBatchUpToItsSize() throws Exception {
        Recorder recorder = new Recorder();
        GroupCommitWriter<Task> writer = writer(recorder, 100);
        Task first = writer.submit(new Task(0));
        assertThat(recorder.entered.await(5, TimeUnit.SECONDS)).isTrue();
        List<Task> rest = new ArrayList<>();
        for (int i = 1; i <= 250; i++) {
            rest.add(writer.submit(new Task(i)));
        }
        recorder.gate.countDown();
        for (Task task : rest) {
            assertThat(task.done.get(5, TimeUnit.SECONDS)).isEqualTo(task.n);
        }
        assertThat(recorder.batches).as("250 queued tasks in batches of at most 100").hasSizeBetween(3, 5)
                .allSatisfy(batch -> assertThat(batch).hasSizeLessThanOrEqualTo(100));
        assertThat(recorder.batches.stream().flatMap(List::stream).toList()).as("in queue order")
                .isEqualTo(java.util.stream.IntStream.rangeClosed(0, 250).boxed().toList());
        assertThat(writer.close(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void closeWritesEverythingQueuedBeforeItThenRunsTheLastActAndRefusesMore() throws Exception {
        Recorder recorder = new Recorder();
        GroupCommitWriter<Task> writer = writer(recorder, 1000);
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            tasks.add(writer.submit(new Task(i)));
        }
        Thread closer = new Thread(() -> writer.close(Duration.ofSeconds(10)));
        closer.start();
        waitUntil(writer::isClosed);
        assertThatThrownBy(() -> writer.submit(new Task(99))).isInstanceOf(VaultException.class).hasMessage("closed");
        recorder.gate.countDown();
        closer.join(10_000);
        for (Task task : tasks) {
            assertThat(task.done.get(1, TimeUnit.SECONDS)).isEqualTo(task.n);
        }
        assertThat(recorder.events.get(recorder.events.size() - 1)).isEqualTo("stopped");
        assertThat(writer.close(Duration.ofSeconds(1))).as("a second close finds it finished").isTrue();
    }

    @Test
    void aBatchThatThrowsFailsItsCallersPermanentlyAndTheWriterGoesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        GroupCommitWriter<Task> writer = writer(new GroupCommitWriter.Batches<>() {
            @Override
            public void write(List<Task> batch) {
                if (calls.incrementAndGet() == 1) {
                    throw new IllegalStateException("bug");
                }
                batch.forEach(t -> t.done.complete(t.n));
            }

            @Override
            public void stopped() {
            }
        }, 10);
        Task failed = writer.submit(new Task(1));
        assertThatThrownBy(() -> failed.done.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(VaultException.class, e -> assertThat(e.isRetriable()).isFalse());
        assertThat(writer.submit(new Task(2)).done.get(5, TimeUnit.SECONDS)).isEqualTo(2);
        writer.close(Duration.ofSeconds(5));
    }

    @Test
    void aTaskTheVaultForgotIsFailedNotLeftWaiting() {
        GroupCommitWriter<Task> writer = writer(new GroupCommitWriter.Batches<>() {
            @Override
            public void write(List<Task> batch) {
            }

            @Override
            public void stopped() {
            }
        }, 10);
        Task task = writer.submit(new Task(1));
        assertThatThrownBy(() -> task.done.get(5, TimeUnit.SECONDS)).cause().hasMessageContaining("unanswered");
        writer.close(Duration.ofSeconds(5));
    }

    @Test
    void aWriterStuckPastCloseIsInterruptedAndWhatItHeldFailsAsRetriable() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        GroupCommitWriter<Task> writer = writer(new GroupCommitWriter.Batches<>() {
            @Override
            public void write(List<Task> batch) {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void stopped() {
                events.add("stopped");
            }
        }, 1);
        Task stuck = writer.submit(new Task(1));
        Task queued = writer.submit(new Task(2));
        assertThat(writer.close(Duration.ofMillis(200))).isFalse();
        writer.interrupt();
        assertThatThrownBy(() -> queued.done.get(5, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(VaultException.class, e -> assertThat(e.isRetriable()).isTrue());
        assertThatThrownBy(() -> stuck.done.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        assertThat(writer.close(Duration.ofSeconds(5))).isTrue();
        assertThat(events).containsExactly("stopped");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
