package io.caduceus.adapters.fabric;

import static io.caduceus.ingest.ledger.TestEntries.recordId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.ingest.ledger.LedgerException.Kind;
import io.caduceus.ingest.ledger.TestEntries;
import io.grpc.Status.Code;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.hyperledger.fabric.client.ChaincodeEvent;
import org.hyperledger.fabric.client.Checkpoint;
import org.hyperledger.fabric.client.CloseableIterator;
import org.hyperledger.fabric.client.GatewayRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class BlockEventFollowerTest {

    /** Held so that the JUL logger, and its level, is not collected: these tests provoke failures on purpose. */
    private static final java.util.logging.Logger QUIET = quiet();

    private static java.util.logging.Logger quiet() {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.caduceus.adapters.fabric");
        logger.setLevel(java.util.logging.Level.OFF);
        return logger;
    }

    record Event(long getBlockNumber, String getTransactionId, String getEventName, byte[] getPayload)
            implements ChaincodeEvent {
        @Override
        public String getChaincodeName() {
            return "record-registry";
        }
    }

    record Delivered(long block, String tx, List<RecordId> ids) {
    }

    static Event committed(long block, String tx, long... ids) {
        Map<String, Object> payload = new TreeMap<>();
        List<Object> entries = new ArrayList<>();
        for (long id : ids) {
            entries.add(TestEntries.entry(id).toJsonMap());
        }
        payload.put("batchDigest", "0".repeat(64));
        payload.put("count", ids.length);
        payload.put("entries", entries);
        payload.put("submitter", "HospitalMSP");
        return new Event(block, tx, "EntriesCommitted", CanonicalJson.write(payload).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Serves events from a growing list the way the gateway positions a stream (from the checkpoint's block, after its
     * transaction), then idles like a live stream until closed. Can break once after a number of events.
     */
    static final class FakeSource implements BlockEventFollower.EventSource {
        final List<Event> ledger = new CopyOnWriteArrayList<>();
        final AtomicInteger opened = new AtomicInteger();
        volatile int breakAfter = -1;
        volatile RuntimeException breakWith;

        @Override
        public CloseableIterator<ChaincodeEvent> open(Checkpoint checkpoint, long startBlock) {
            opened.incrementAndGet();
            List<Event> todo = new ArrayList<>();
            long from = checkpoint.getBlockNumber().orElse(startBlock);
            String after = checkpoint.getTransactionId().orElse(null);
            boolean passed = after == null;
            for (Event e : ledger) {
                if (e.getBlockNumber() < from) {
                    continue;
                }
                if (!passed) {
                    passed = e.getTransactionId().equals(after);
                    continue;
                }
                todo.add(e);
            }
            CountDownLatch closed = new CountDownLatch(1);
            return new CloseableIterator<>() {
                int next;
                int served;

                @Override
                public boolean hasNext() {
                    if (breakAfter >= 0 && served == breakAfter) {
                        breakAfter = -1;
                        throw breakWith;
                    }
                    if (next < todo.size()) {
                        return true;
                    }
                    try {
                        closed.await(); // a live stream: nothing more until someone closes it
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new GatewayRuntimeException(GatewayErrors.grpcError(Code.CANCELLED, "closed"));
                }

                @Override
                public ChaincodeEvent next() {
                    if (next >= todo.size()) {
                        throw new NoSuchElementException();
                    }
                    served++;
                    return todo.get(next++);
                }

                @Override
                public void close() {
                    closed.countDown();
                }
            };
        }
    }

    @TempDir
    Path dir;
    private final FakeSource source = new FakeSource();
    private final List<Delivered> delivered = new CopyOnWriteArrayList<>();

    private BlockEventFollower follower(BlockEventFollower.Listener listener) {
        return new BlockEventFollower(source, dir.resolve("events.checkpoint"), listener, Duration.ofMillis(10), 0);
    }

    private BlockEventFollower follower() {
        return follower((block, tx, entries) -> delivered.add(new Delivered(block, tx, ids(entries))));
    }

    private static List<RecordId> ids(List<LedgerEntry> entries) {
        return entries.stream().map(LedgerEntry::recordId).toList();
    }

    @Test
    void deliversEntriesCommittedEventsInOrderAndIgnoresOthers() throws Exception {
        source.ledger.add(committed(3, "tx-a", 1, 2));
        source.ledger.add(new Event(3, "tx-b", "AccessLogged", "{}".getBytes(StandardCharsets.UTF_8)));
        source.ledger.add(committed(5, "tx-c", 3));
        try (BlockEventFollower f = follower()) {
            f.start();
            await().until(() -> delivered.size() == 2);
            assertThat(delivered).containsExactly(new Delivered(3, "tx-a", List.of(recordId(1), recordId(2))),
                    new Delivered(5, "tx-c", List.of(recordId(3))));
            assertThatThrownBy(f::start).isInstanceOf(IllegalStateException.class);
            assertThat(f.stop(Duration.ofSeconds(5))).isTrue();
            assertThat(f.failure()).isEmpty();
        }
    }

    @Test
    void aRestartResumesAfterTheLastEventHandled() throws Exception {
        source.ledger.add(committed(3, "tx-a", 1));
        source.ledger.add(committed(3, "tx-b", 2));
        BlockEventFollower first = follower();
        first.start();
        await().until(() -> delivered.size() == 2);
        assertThat(first.stop(Duration.ofSeconds(5))).isTrue();

        source.ledger.add(committed(4, "tx-c", 3));
        source.ledger.add(committed(6, "tx-d", 4));
        delivered.clear();
        try (BlockEventFollower second = follower()) {
            second.start();
            await().until(() -> delivered.size() == 2);
            Thread.sleep(50);
            assertThat(delivered).extracting(Delivered::tx).containsExactly("tx-c", "tx-d");
        }
    }

    @Test
    void aBrokenStreamIsReopenedFromTheCheckpointWithoutGapsOrRepeats() throws Exception {
        for (int i = 0; i < 6; i++) {
            source.ledger.add(committed(10 + i / 2, "tx-" + i, i));
        }
        source.breakWith = new GatewayRuntimeException(GatewayErrors.grpcError(Code.UNAVAILABLE, "peer restarted"));
        source.breakAfter = 3;
        try (BlockEventFollower f = follower()) {
            f.start();
            await().until(() -> delivered.size() == 6);
            Thread.sleep(50);
            assertThat(delivered).extracting(Delivered::tx)
                    .containsExactly("tx-0", "tx-1", "tx-2", "tx-3", "tx-4", "tx-5");
            assertThat(source.opened.get()).isEqualTo(2);
            assertThat(f.failure()).isEmpty();
        }
    }

    @Test
    void aPermanentFailureStopsTheFollower() throws Exception {
        source.ledger.add(committed(1, "tx-a", 1));
        source.breakWith = new GatewayRuntimeException(GatewayErrors.grpcError(Code.PERMISSION_DENIED, "no"));
        source.breakAfter = 0;
        try (BlockEventFollower f = follower()) {
            f.start();
            await().until(() -> f.failure().isPresent());
            assertThat(f.failure().get().kind()).isEqualTo(Kind.FORBIDDEN);
            assertThat(delivered).isEmpty();
        }
    }

    @Test
    void anEventTheListenerFailedOnIsDeliveredAgainAfterRestart() throws Exception {
        source.ledger.add(committed(1, "tx-a", 1));
        source.ledger.add(committed(2, "tx-b", 2));
        BlockEventFollower failing = follower((block, tx, entries) -> {
            if (tx.equals("tx-b")) {
                throw new IllegalStateException("downstream down");
            }
            delivered.add(new Delivered(block, tx, ids(entries)));
        });
        failing.start();
        await().until(() -> failing.failure().isPresent());
        assertThat(failing.stop(Duration.ofSeconds(5))).isTrue();
        assertThat(delivered).extracting(Delivered::tx).containsExactly("tx-a");

        try (BlockEventFollower again = follower()) {
            again.start();
            await().until(() -> delivered.size() == 2);
            assertThat(delivered).extracting(Delivered::tx).containsExactly("tx-a", "tx-b");
        }
    }

    @Test
    void progressKeptByTheListenerIsWhereAReconnectAndARestartResume() throws Exception {
        for (int i = 0; i < 4; i++) {
            source.ledger.add(committed(20 + i, "tx-" + i, i));
        }
        AtomicReference<Checkpoint> stored = new AtomicReference<>(BlockEventFollower.Progress.NONE);
        BlockEventFollower.Listener storing = (block, tx, entries) -> {
            delivered.add(new Delivered(block, tx, ids(entries)));
            stored.set(BlockEventFollower.Progress.at(block, tx));
        };
        source.breakWith = new GatewayRuntimeException(GatewayErrors.grpcError(Code.UNAVAILABLE, "peer restarted"));
        source.breakAfter = 2;
        BlockEventFollower first = new BlockEventFollower(source, BlockEventFollower.Progress.keptBy(stored::get),
                storing, Duration.ofMillis(10));
        first.start();
        await().until(() -> delivered.size() == 4);
        assertThat(first.stop(Duration.ofSeconds(5))).isTrue();
        assertThat(source.opened.get()).isEqualTo(2);

        source.ledger.add(committed(30, "tx-4", 4));
        try (BlockEventFollower second = new BlockEventFollower(source,
                BlockEventFollower.Progress.keptBy(stored::get), storing, Duration.ofMillis(10))) {
            second.start();
            await().until(() -> delivered.size() == 5);
            Thread.sleep(50);
        }
        assertThat(delivered).extracting(Delivered::tx).containsExactly("tx-0", "tx-1", "tx-2", "tx-3", "tx-4");
    }

    @Test
    void payloadParsing() {
        assertThat(BlockEventFollower.entries(committed(1, "t", 7, 8).getPayload(), "t"))
                .containsExactly(TestEntries.entry(7), TestEntries.entry(8));
        assertThatThrownBy(() -> BlockEventFollower.entries("{}".getBytes(StandardCharsets.UTF_8), "t9"))
                .hasMessageContaining("t9");
        assertThatThrownBy(() -> BlockEventFollower.entries("{\"entries\":[{\"recordId\":\"nope\"}]}"
                .getBytes(StandardCharsets.UTF_8), "t9")).hasMessageContaining("t9").hasMessageNotContaining("nope");
        assertThatThrownBy(() -> BlockEventFollower.entries("{\"entries\":[\"x\"]}"
                .getBytes(StandardCharsets.UTF_8), "t9")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> BlockEventFollower.entries("garbage".getBytes(StandardCharsets.UTF_8), "t9"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void stoppingAFollowerThatNeverStartedIsFine() throws Exception {
        assertThat(follower().stop(Duration.ofMillis(10))).isTrue();
        await().atMost(1, TimeUnit.SECONDS).until(() -> true);
    }
}
