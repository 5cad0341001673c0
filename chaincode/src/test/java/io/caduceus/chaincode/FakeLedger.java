package io.caduceus.chaincode;

import static org.mockito.AdditionalAnswers.delegatesTo;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.hyperledger.fabric.contract.ClientIdentity;
import org.hyperledger.fabric.contract.Context;
import org.hyperledger.fabric.shim.ChaincodeStub;
import org.hyperledger.fabric.shim.ledger.CompositeKey;
import org.hyperledger.fabric.shim.ledger.KeyModification;
import org.hyperledger.fabric.shim.ledger.KeyValue;
import org.hyperledger.fabric.shim.ledger.QueryResultsIterator;

/**
 * An in-memory world state with Fabric's transaction semantics where the contract could notice them: reads see only
 * committed state (no read-your-writes), writes and the event are applied only if the transaction succeeds, the last
 * {@code setEvent} wins, and history lists a key's modifications newest first. The stub is a Mockito mock delegating
 * to a per-transaction object, so any stub method the contract uses but this fake does not model fails loudly.
 */
final class FakeLedger {

    record Identity(String mspId, String role, String id) {
        static Identity of(String mspId, String role) {
            return new Identity(mspId, role, "x509::CN=user-" + mspId + "-" + role + "::CN=ca");
        }
    }

    record Event(String txId, String name, String payload) {
    }

    record Modification(String txId, Instant timestamp, byte[] value, boolean deleted) {
    }

    private final TreeMap<String, byte[]> state = new TreeMap<>();
    private final Map<String, List<Modification>> history = new HashMap<>();
    private final List<Event> events = new ArrayList<>();
    private Instant clock = Instant.parse("2025-03-01T12:00:00Z");
    private int txCounter;
    private int commits;

    Instant now() {
        return clock;
    }

    void advance(Duration duration) {
        clock = clock.plus(duration);
    }

    /** Runs one transaction; commits its writes and event only if it returns normally. */
    <T> T submit(Identity who, Function<Context, T> transaction) {
        Tx tx = new Tx(String.format("tx%04d", ++txCounter), clock);
        ChaincodeStub stub = mock(ChaincodeStub.class, delegatesTo(tx));
        Context ctx = mock(Context.class);
        when(ctx.getStub()).thenReturn(stub);
        if (who != null) {
            ClientIdentity identity = mock(ClientIdentity.class);
            when(identity.getMSPID()).thenReturn(who.mspId());
            when(identity.getId()).thenReturn(who.id());
            when(identity.getAttributeValue(AccessPolicy.ROLE_ATTRIBUTE)).thenReturn(who.role());
            when(ctx.getClientIdentity()).thenReturn(identity);
        }
        T result = transaction.apply(ctx);
        tx.writes.forEach((key, value) -> {
            boolean deleted = value == null;
            if (deleted) {
                state.remove(key);
            } else {
                state.put(key, value);
            }
            history.computeIfAbsent(key, k -> new ArrayList<>()).add(0,
                    new Modification(tx.txId, tx.timestamp, value, deleted));
        });
        if (tx.event != null) {
            events.add(tx.event);
        }
        commits++;
        // Successive transactions get successive timestamps, like blocks would.
        clock = clock.plusSeconds(1);
        return result;
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    Event lastEvent() {
        return events.isEmpty() ? null : events.get(events.size() - 1);
    }

    int commits() {
        return commits;
    }

    Map<String, String> snapshot() {
        Map<String, String> copy = new TreeMap<>();
        state.forEach((k, v) -> copy.put(k, new String(v, StandardCharsets.UTF_8)));
        return copy;
    }

    int size() {
        return state.size();
    }

    String get(String key) {
        byte[] value = state.get(key);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    static String key(String type, String... attributes) {
        return new CompositeKey(type, attributes).toString();
    }

    /** What the contract sees through {@link ChaincodeStub} during one transaction. */
    final class Tx {
        private final String txId;
        private final Instant timestamp;
        private final Map<String, byte[]> writes = new LinkedHashMap<>();
        private Event event;

        Tx(String txId, Instant timestamp) {
            this.txId = txId;
            this.timestamp = timestamp;
        }

        public String getTxId() {
            return txId;
        }

        public Instant getTxTimestamp() {
            return timestamp;
        }

        public byte[] getState(String key) {
            byte[] value = state.get(key);
            return value == null ? new byte[0] : value.clone();
        }

        public void putState(String key, byte[] value) {
            if (key == null || key.isEmpty() || value == null || value.length == 0) {
                throw new IllegalArgumentException("Fabric rejects empty keys and treats empty values as deletes");
            }
            writes.put(key, value.clone());
        }

        public void delState(String key) {
            writes.put(key, null);
        }

        public CompositeKey createCompositeKey(String objectType, String... attributes) {
            return new CompositeKey(objectType, attributes);
        }

        public QueryResultsIterator<KeyValue> getStateByPartialCompositeKey(CompositeKey prefix) {
            String start = prefix.toString();
            List<KeyValue> rows = new ArrayList<>();
            state.subMap(start, start + Character.toString(Character.MAX_CODE_POINT)).forEach((k, v) -> rows.add(
                    new KeyValue() {
                        @Override
                        public String getKey() {
                            return k;
                        }

                        @Override
                        public byte[] getValue() {
                            return v.clone();
                        }

                        @Override
                        public String getStringValue() {
                            return new String(v, StandardCharsets.UTF_8);
                        }
                    }));
            return iterator(rows);
        }

        public QueryResultsIterator<KeyModification> getHistoryForKey(String key) {
            List<KeyModification> rows = new ArrayList<>();
            for (Modification m : history.getOrDefault(key, List.of())) {
                rows.add(new KeyModification() {
                    @Override
                    public String getTxId() {
                        return m.txId();
                    }

                    @Override
                    public byte[] getValue() {
                        return m.value() == null ? new byte[0] : m.value().clone();
                    }

                    @Override
                    public String getStringValue() {
                        return new String(getValue(), StandardCharsets.UTF_8);
                    }

                    @Override
                    public Instant getTimestamp() {
                        return m.timestamp();
                    }

                    @Override
                    public boolean isDeleted() {
                        return m.deleted();
                    }
                });
            }
            return iterator(rows);
        }

        public void setEvent(String name, byte[] payload) {
            event = new Event(txId, name, new String(payload, StandardCharsets.UTF_8));
        }
    }

    private static <T> QueryResultsIterator<T> iterator(List<T> rows) {
        return new QueryResultsIterator<>() {
            @Override
            public Iterator<T> iterator() {
                return rows.iterator();
            }

            @Override
            public void close() {
            }
        };
    }
}
