package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.VaultException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Group commit for both vaults: callers queue tasks and wait on their futures; one writer thread takes whatever is
 * queued (up to a batch's size) and hands it to the vault as one batch, so a thousand concurrent puts cost one fsync
 * or one transaction instead of a thousand. Closing lets every task queued before it be written, then runs the vault's
 * last act on the writer thread; no caller is left waiting on a task the writer will never take.
 *
 * @param <T> the vault's task type
 */
final class GroupCommitWriter<T extends GroupCommitWriter.Task> {

    /** One queued request; the batch that writes it completes its future. */
    abstract static class Task {
        final CompletableFuture<Object> done = new CompletableFuture<>();
    }

    /** What a vault does on the writer thread. */
    interface Batches<T> {
        /** Writes the batch and completes each task's future (a task left incomplete fails as a writer bug). */
        void write(List<T> batch);

        /** The writer's last act, after every task queued before {@link #close} was written. */
        void stopped();
    }

    private static final Object STOP = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private final int maxBatch;
    private final Batches<T> batches;
    private final Supplier<VaultException> closedError;
    private final Thread thread;
    private volatile boolean closed;

    /** Starts the writer thread (a daemon: a vault left open must not keep the JVM alive). */
    GroupCommitWriter(String threadName, int maxBatch, Batches<T> batches, Supplier<VaultException> closedError) {
        this.maxBatch = maxBatch;
        this.batches = batches;
        this.closedError = closedError;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    boolean isClosed() {
        return closed;
    }

    /** Queues the task; the caller waits on its future. */
    T submit(T task) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw closedError.get();
            }
            queue.add(task);
        } finally {
            lifecycle.readLock().unlock();
        }
        return task;
    }

    /**
     * Takes no more tasks and waits up to {@code timeout} for the queued ones and the vault's last act.
     *
     * @return whether the writer finished in time; a later call waits again
     */
    boolean close(Duration timeout) {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                queue.add(STOP); // after every task already queued, so those still complete
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
        try {
            finished.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // the last act failed; the vault logged it
        }
    }

    /** Gives up on a writer stuck past {@link #close}: the tasks it holds and those queued fail as retriable. */
    void interrupt() {
        thread.interrupt();
    }

    @SuppressWarnings("unchecked")
    private void run() {
        List<Object> taken = new ArrayList<>();
        List<T> batch = new ArrayList<>();
        try {
            while (true) {
                taken.add(queue.take());
                queue.drainTo(taken, maxBatch - 1);
                boolean stop = taken.remove(STOP);
                taken.forEach(task -> batch.add((T) task));
                taken.clear();
                if (!batch.isEmpty()) {
                    write(batch);
                }
                batch.clear();
                if (stop) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            VaultException gone = new VaultException("vault writer interrupted", true);
            batch.forEach(task -> task.done.completeExceptionally(gone));
            failQueued(gone);
        } finally {
            failQueued(closedError.get()); // nothing can be queued after STOP, but be certain no caller hangs
            try {
                batches.stopped();
                finished.complete(null);
            } catch (RuntimeException e) {
                finished.completeExceptionally(e);
            }
        }
    }

    private void write(List<T> batch) {
        try {
            batches.write(batch);
        } catch (RuntimeException e) {
            VaultException bug = new VaultException("vault writer failed: " + e, false, e);
            batch.forEach(task -> task.done.completeExceptionally(bug));
            return;
        }
        // A vault that answers every task (the normal case) costs no exception per batch here.
        if (batch.stream().anyMatch(task -> !task.done.isDone())) {
            VaultException forgotten = new VaultException("vault writer left a task unanswered", false);
            batch.forEach(task -> task.done.completeExceptionally(forgotten)); // no effect on completed tasks
        }
    }

    private void failQueued(VaultException error) {
        List<Object> left = new ArrayList<>();
        queue.drainTo(left);
        left.stream().filter(o -> o != STOP).forEach(o -> ((Task) o).done.completeExceptionally(error));
    }
}
