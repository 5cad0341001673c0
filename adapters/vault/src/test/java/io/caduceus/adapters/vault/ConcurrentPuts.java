package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.ingest.vault.VaultRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Many writers putting into one vault at the same moment, as the MLLP and FHIR edges do under load: each thread waits
 * for a common start, then puts its own records one after the other. What a vault's concurrency test then checks
 * (every record durable and readable) is its own.
 */
public final class ConcurrentPuts {

    /** The record thread {@code thread} puts as its {@code i}th. */
    @FunctionalInterface
    public interface Records {
        VaultRecord record(int thread, int i);
    }

    private ConcurrentPuts() {
    }

    /** Puts {@code threads} times {@code perThread} records at once; returns them all once every put returned. */
    public static List<VaultRecord> put(RecordVault vault, int threads, int perThread, Records records, Duration within)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<VaultRecord>>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Callable<List<VaultRecord>> task = () -> {
                start.await();
                List<VaultRecord> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    VaultRecord r = records.record(thread, i);
                    vault.put(r);
                    mine.add(r);
                }
                return mine;
            };
            futures.add(pool.submit(task));
        }
        start.countDown();
        List<VaultRecord> all = new ArrayList<>();
        for (Future<List<VaultRecord>> f : futures) {
            all.addAll(f.get(within.toMillis(), TimeUnit.MILLISECONDS));
        }
        pool.shutdown();
        return all;
    }
}
