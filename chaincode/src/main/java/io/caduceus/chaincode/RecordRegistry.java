package io.caduceus.chaincode;

import io.caduceus.chaincode.AccessPolicy.Caller;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.hyperledger.fabric.contract.ClientIdentity;
import org.hyperledger.fabric.contract.Context;
import org.hyperledger.fabric.contract.ContractInterface;
import org.hyperledger.fabric.contract.annotation.Contract;
import org.hyperledger.fabric.contract.annotation.Default;
import org.hyperledger.fabric.contract.annotation.Info;
import org.hyperledger.fabric.contract.annotation.Transaction;
import org.hyperledger.fabric.shim.ChaincodeStub;
import org.hyperledger.fabric.shim.ledger.KeyValue;
import org.hyperledger.fabric.shim.ledger.QueryResultsIterator;

/**
 * The private ledger's view of Caduceus: record commitments, the public anchors over them, patient consent and the
 * access log. Only ids, hashes, pseudonyms and codes are ever stored or emitted; the records themselves stay in the
 * off-chain vault.
 *
 * <p>Every value written, returned or emitted is canonical JSON and every timestamp is the proposal's, so that all
 * endorsing peers compute identical read/write sets. Fabric does not let a transaction read its own writes, which is
 * why batch handling resolves duplicates in memory before touching the state.
 */
@Contract(name = "RecordRegistry", info = @Info(title = "Caduceus RecordRegistry", version = "0.1.0",
        description = "Ledger entries (record commitments), anchor receipts, consent grants and the access log"))
@Default
public final class RecordRegistry implements ContractInterface {

    static final String EVENT_ENTRIES_COMMITTED = "EntriesCommitted";
    static final String EVENT_ACCESS_LOGGED = "AccessLogged";
    static final String EVENT_ANCHOR_STORED = "AnchorReceiptStored";
    static final String EVENT_ACCESS_EVENTS_COMMITTED = "AccessEventsCommitted";

    static final String KEY_BATCH = "caduceus.batch";
    static final String KEY_ACCESS_BATCH = "caduceus.access-batch";
    static final String KEY_ANCHOR = "caduceus.anchor";
    static final String KEY_ANCHOR_LATEST = "caduceus.anchor.latest";
    static final String KEY_GRANT = "caduceus.grant";
    static final String KEY_ACCESS = "caduceus.access";

    /** Bounds one transaction's read/write set; the adapter cuts batches well below this. */
    static final int MAX_BATCH = 1000;

    /** How far a proposal's timestamp may stray from this peer's clock before consent decisions refuse it. */
    static final String ENV_MAX_CLOCK_SKEW = "CADUCEUS_MAX_CLOCK_SKEW_SECONDS";
    static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    private final AccessPolicy policy;
    private final Supplier<Instant> peerClock;
    private final Duration maxClockSkew;

    /** Used by the contract router, which instantiates contracts reflectively. */
    public RecordRegistry() {
        this(AccessPolicy.fromEnvironment(System.getenv()), Instant::now, maxClockSkew(System.getenv()));
    }

    RecordRegistry(AccessPolicy policy, Supplier<Instant> peerClock, Duration maxClockSkew) {
        this.policy = policy;
        this.peerClock = peerClock;
        this.maxClockSkew = maxClockSkew;
    }

    static Duration maxClockSkew(Map<String, String> env) {
        String value = env.get(ENV_MAX_CLOCK_SKEW);
        if (value == null || value.isBlank()) {
            return DEFAULT_MAX_CLOCK_SKEW;
        }
        try {
            long seconds = Long.parseLong(value.strip());
            if (seconds > 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(ENV_MAX_CLOCK_SKEW + " must be a positive number of seconds");
    }

    /**
     * The proposal's timestamp, once it is within {@link #maxClockSkew} of this peer's clock. The client chooses that
     * timestamp; consent grants, expiries and the access log rest on it, so a client must not be able to date a
     * decision into the past or the future. Each endorsing peer checks against its own clock: a forged time fails
     * endorsement instead of being written.
     */
    private Instant boundedTxTime(ChaincodeStub stub) {
        Instant proposed = stub.getTxTimestamp();
        Instant now = peerClock.get();
        if (Duration.between(proposed, now).abs().compareTo(maxClockSkew) > 0) {
            throw RegistryError.INVALID_ARGUMENT.exception("the proposal timestamp is more than "
                    + maxClockSkew.toSeconds() + " s away from the peer's clock");
        }
        return proposed;
    }

    // ---------------------------------------------------------------- ledger entries

    /**
     * Records a batch of ledger entries as one state write and one {@code EntriesCommitted} event that carries the
     * entries themselves, so the bridge's feed needs nothing but the events of committed blocks.
     *
     * <p>There is deliberately no state key per record: with the Java shim every {@code GetState} and
     * {@code PutState} is a round trip to the peer, and one read and one or two writes per entry held the chaincode
     * to 400-900 entries/s on two cores. Uniqueness per record id is decided once, in ledger order, by the bridge
     * that appends the committed events to the Merkle log: the first commitment committed for a record id is the one
     * logged, and a later different one is refused there and reported. Every peer and auditor replaying the channel
     * reaches the same decision, because it depends on nothing but the block order.
     */
    @Transaction(name = "PutEntries", intent = Transaction.TYPE.SUBMIT)
    public String putEntries(Context ctx, String batchJson) {
        Caller caller = authorize(ctx, policy::canWriteEntries, "put ledger entries");
        Map<String, Map<String, Object>> batch = distinct(batchJson, "entries", "record id", item -> {
            LedgerEntry entry = LedgerEntry.fromMap(item);
            return Map.entry(entry.recordId(), entry.toMap());
        });
        return recordBatch(ctx.getStub(), caller, KEY_BATCH, EVENT_ENTRIES_COMMITTED, "entries", batch.values());
    }

    /**
     * Parses and validates a batch: 1 to {@link #MAX_BATCH} items, each turned into its id and canonical map; one bad
     * item rejects the batch before anything is written. Identical repeats of an id collapse, a repeat with other
     * content is a {@code CONFLICT}. Sorted by id, so that the same batch in another order endorses to the same bytes.
     */
    private static Map<String, Map<String, Object>> distinct(String batchJson, String what, String idName,
            java.util.function.Function<Object, Map.Entry<String, Map<String, Object>>> parse) {
        List<Object> items = CanonicalJson.parseArray(batchJson, "batch");
        if (items.isEmpty() || items.size() > MAX_BATCH) {
            throw RegistryError.INVALID_ARGUMENT.exception("a batch holds 1 to " + MAX_BATCH + " " + what);
        }
        Map<String, Map<String, Object>> batch = new TreeMap<>();
        for (Object item : items) {
            Map.Entry<String, Map<String, Object>> parsed = parse.apply(item);
            Map<String, Object> previous = batch.putIfAbsent(parsed.getKey(), parsed.getValue());
            if (previous != null && !previous.equals(parsed.getValue())) {
                throw RegistryError.CONFLICT.exception(idName + " " + parsed.getKey()
                        + " appears twice in the batch with different content");
            }
        }
        return batch;
    }

    /**
     * One state write under {@code keyType} and the transaction id ({@code {"batchDigest","count","submitter"}}, the
     * digest over the canonical array of the items) and one event carrying that record and the items.
     */
    private static String recordBatch(ChaincodeStub stub, Caller caller, String keyType, String eventName,
            String itemsField, java.util.Collection<Map<String, Object>> items) {
        List<Object> list = new ArrayList<>(items);
        Map<String, Object> record = new TreeMap<>();
        record.put("batchDigest", sha256Hex(CanonicalJson.write(list)));
        record.put("count", (long) list.size());
        record.put("submitter", caller.mspId());
        String recordJson = CanonicalJson.write(record);
        write(stub, key(stub, keyType, stub.getTxId()), recordJson);
        Map<String, Object> event = new TreeMap<>(record);
        event.put(itemsField, list);
        stub.setEvent(eventName, bytes(CanonicalJson.write(event)));
        return recordJson;
    }

    /** The digest and size of the batch a {@code PutEntries} transaction recorded. */
    @Transaction(name = "GetBatch", intent = Transaction.TYPE.EVALUATE)
    public String getBatch(Context ctx, String transactionId) {
        authorize(ctx, policy::canRead, "read ledger entries");
        return recordedBatch(ctx.getStub(), KEY_BATCH, transactionId, "no batch recorded by transaction ");
    }

    /** What {@link #recordBatch} stored under {@code keyType} for a transaction; NOT_FOUND with {@code missing}. */
    private static String recordedBatch(ChaincodeStub stub, String keyType, String transactionId, String missing) {
        String id = Fields.matching(transactionId, Fields.TRANSACTION_ID, "transactionId");
        String stored = read(stub, key(stub, keyType, id));
        if (stored == null) {
            throw RegistryError.NOT_FOUND.exception(missing + id);
        }
        return stored;
    }

    // ---------------------------------------------------------------- anchor receipts

    @Transaction(name = "PutAnchorReceipt", intent = Transaction.TYPE.SUBMIT)
    public String putAnchorReceipt(Context ctx, String receiptJson) {
        authorize(ctx, policy::canStoreAnchorReceipts, "store anchor receipts");
        ChaincodeStub stub = ctx.getStub();
        AnchorReceipt receipt = AnchorReceipt.fromJson(receiptJson);
        String latestJson = read(stub, key(stub, KEY_ANCHOR_LATEST));
        if (latestJson != null) {
            AnchorReceipt latest = AnchorReceipt.fromJson(latestJson);
            if (receipt.treeSize() < latest.treeSize()) {
                throw RegistryError.NON_MONOTONIC.exception("tree size " + receipt.treeSize()
                        + " is below the latest anchored tree size " + latest.treeSize());
            }
            if (receipt.treeSize() == latest.treeSize()) {
                // The bridge retries after timeouts; the same receipt again must not fail it.
                if (receipt.equals(latest)) {
                    return latestJson;
                }
                // The same tree anchored again (the public chain was reset, or the bridge moved to another
                // registry): the newer anchor becomes the receipt of record; the key's history keeps the old one.
                // Another root for the same size would mean two different logs: refused.
                if (!receipt.root().equals(latest.root())) {
                    throw RegistryError.CONFLICT.exception("tree size " + receipt.treeSize()
                            + " is already anchored with a different root");
                }
            }
        }
        String json = receipt.toJson();
        write(stub, key(stub, KEY_ANCHOR, treeSizeKey(receipt.treeSize())), json);
        write(stub, key(stub, KEY_ANCHOR_LATEST), json);
        Map<String, Object> event = new TreeMap<>();
        event.put("root", receipt.root());
        event.put("transactionHash", receipt.transactionHash());
        event.put("treeSize", receipt.treeSize());
        stub.setEvent(EVENT_ANCHOR_STORED, bytes(CanonicalJson.write(event)));
        return json;
    }

    @Transaction(name = "GetAnchorReceipt", intent = Transaction.TYPE.EVALUATE)
    public String getAnchorReceipt(Context ctx, String treeSize) {
        authorize(ctx, policy::canRead, "read anchor receipts");
        ChaincodeStub stub = ctx.getStub();
        long size = parseTreeSize(treeSize);
        String stored = read(stub, key(stub, KEY_ANCHOR, treeSizeKey(size)));
        if (stored == null) {
            throw RegistryError.NOT_FOUND.exception("no anchor receipt for tree size " + size);
        }
        return stored;
    }

    @Transaction(name = "GetLatestAnchorReceipt", intent = Transaction.TYPE.EVALUATE)
    public String getLatestAnchorReceipt(Context ctx) {
        authorize(ctx, policy::canRead, "read anchor receipts");
        ChaincodeStub stub = ctx.getStub();
        String stored = read(stub, key(stub, KEY_ANCHOR_LATEST));
        if (stored == null) {
            throw RegistryError.NOT_FOUND.exception("no anchor receipt stored yet");
        }
        return stored;
    }

    private static long parseTreeSize(String treeSize) {
        try {
            long size = Long.parseLong(treeSize == null ? "" : treeSize);
            if (size >= 1) {
                return size;
            }
        } catch (NumberFormatException e) {
            // reported below, with the same message as a non-positive size
        }
        throw RegistryError.INVALID_ARGUMENT.exception("treeSize must be a positive integer");
    }

    /** Zero-padded so that keys sort numerically, which range scans over receipts rely on. */
    private static String treeSizeKey(long treeSize) {
        return String.format("%019d", treeSize);
    }

    // ---------------------------------------------------------------- consent

    @Transaction(name = "GrantAccess", intent = Transaction.TYPE.SUBMIT)
    public String grantAccess(Context ctx, String pseudonym, String grantee, String expiresAt) {
        Caller caller = authorize(ctx, policy::canManageConsent, "manage consent");
        ChaincodeStub stub = ctx.getStub();
        String key = grantKey(stub, pseudonym, grantee);
        Instant now = boundedTxTime(stub);
        String expiry = null;
        if (expiresAt != null && !expiresAt.isEmpty()) {
            Instant instant = Fields.instant(expiresAt, "expiresAt");
            if (!instant.isAfter(now)) {
                throw RegistryError.INVALID_ARGUMENT.exception("expiresAt must be after the transaction time");
            }
            expiry = instant.toString();
        }
        String stored = read(stub, key);
        if (stored != null) {
            AccessGrant existing = AccessGrant.fromJson(stored);
            // Re-granting what is already in force keeps the original grant time, so retries change nothing.
            if (!existing.isRevoked() && java.util.Objects.equals(existing.expiresAt(), expiry)
                    && AccessGrant.GRANTED.equals(existing.reasonAt(now))) {
                return stored;
            }
        }
        AccessGrant grant = new AccessGrant(grantee, caller.mspId(), now.toString(), expiry, null, null);
        String json = grant.toJson();
        write(stub, key, json);
        return json;
    }

    @Transaction(name = "RevokeAccess", intent = Transaction.TYPE.SUBMIT)
    public String revokeAccess(Context ctx, String pseudonym, String grantee) {
        Caller caller = authorize(ctx, policy::canManageConsent, "manage consent");
        ChaincodeStub stub = ctx.getStub();
        String key = grantKey(stub, pseudonym, grantee);
        String stored = read(stub, key);
        if (stored == null) {
            throw RegistryError.NOT_FOUND.exception("no grant for this patient and grantee");
        }
        AccessGrant existing = AccessGrant.fromJson(stored);
        if (existing.isRevoked()) {
            return stored;
        }
        String json = existing.revoke(caller.mspId(), boundedTxTime(stub)).toJson();
        write(stub, key, json);
        return json;
    }

    @Transaction(name = "CheckAccess", intent = Transaction.TYPE.EVALUATE)
    public String checkAccess(Context ctx, String pseudonym, String grantee, String atInstant) {
        authorize(ctx, policy::canRead, "check consent");
        ChaincodeStub stub = ctx.getStub();
        String key = grantKey(stub, pseudonym, grantee);
        Instant at = atInstant == null || atInstant.isEmpty() ? boundedTxTime(stub)
                : Fields.instant(atInstant, "atInstant");
        String stored = read(stub, key);
        String reason = stored == null ? AccessGrant.NO_GRANT : AccessGrant.fromJson(stored).reasonAt(at);
        Map<String, Object> result = new TreeMap<>();
        result.put("allowed", AccessGrant.GRANTED.equals(reason));
        result.put("reason", reason);
        return CanonicalJson.write(result);
    }

    private static String grantKey(ChaincodeStub stub, String pseudonym, String grantee) {
        return key(stub, KEY_GRANT, Fields.matching(pseudonym, Fields.PSEUDONYM, "patientPseudonym"),
                Fields.grantee(grantee));
    }

    // ---------------------------------------------------------------- access log

    /**
     * Records that a caller read a record. The record's patient pseudonym comes with the call (the ledger keeps no
     * state per record, see {@link #putEntries}); it only matters to callers outside the member orgs, whose access
     * rests on that patient's consent, and naming a patient the record does not belong to gains them nothing the
     * grant does not already give.
     *
     * @param patientPseudonym the record's patient, or empty for a record about no patient (members only)
     */
    @Transaction(name = "LogAccess", intent = Transaction.TYPE.SUBMIT)
    public String logAccess(Context ctx, String recordId, String patientPseudonym, String purpose) {
        Caller caller = caller(ctx);
        ChaincodeStub stub = ctx.getStub();
        String id = Fields.matching(recordId, Fields.RECORD_ID, "recordId");
        String code = Fields.matching(purpose, Fields.PURPOSE, "purpose");
        String patient = patientPseudonym == null || patientPseudonym.isEmpty() ? null
                : Fields.matching(patientPseudonym, Fields.PSEUDONYM, "patientPseudonym");
        Instant now = boundedTxTime(stub);
        String basis = accessBasis(stub, caller, id, patient, now);
        Map<String, Object> event = new TreeMap<>();
        event.put("at", now.toString());
        event.put("basis", basis);
        event.put("callerIdHash", caller.idHash());
        event.put("mspId", caller.mspId());
        event.put("purpose", code);
        event.put("recordId", id);
        event.put("txId", stub.getTxId());
        String json = CanonicalJson.write(event);
        write(stub, key(stub, KEY_ACCESS, id, stub.getTxId()), json);
        stub.setEvent(EVENT_ACCESS_LOGGED, bytes(json));
        return json;
    }

    /**
     * Records a batch of the middleware's access events (reads its FHIR clients made, each with the client's id hash,
     * purpose and the records disclosed) as one state write and one {@code AccessEventsCommitted} event carrying them,
     * like {@link #putEntries}: the access log of every disclosure ends up on the ledger without a transaction per read.
     * The writer vouches for its clients; readers of the log find an event by its access id or record ids in the
     * channel's events, and {@code GetAccessBatch(txId)} shows what a transaction recorded.
     */
    @Transaction(name = "PutAccessEvents", intent = Transaction.TYPE.SUBMIT)
    public String putAccessEvents(Context ctx, String batchJson) {
        Caller caller = authorize(ctx, policy::canWriteEntries, "put access events");
        Map<String, Map<String, Object>> batch = distinct(batchJson, "access events", "access id", item -> {
            AccessEvent event = AccessEvent.fromMap(item);
            return Map.entry(event.accessId(), event.toMap());
        });
        return recordBatch(ctx.getStub(), caller, KEY_ACCESS_BATCH, EVENT_ACCESS_EVENTS_COMMITTED, "events",
                batch.values());
    }

    /** The digest and size of the access events a {@code PutAccessEvents} transaction recorded. */
    @Transaction(name = "GetAccessBatch", intent = Transaction.TYPE.EVALUATE)
    public String getAccessBatch(Context ctx, String transactionId) {
        authorize(ctx, policy::canRead, "read the access log");
        return recordedBatch(ctx.getStub(), KEY_ACCESS_BATCH, transactionId,
                "no access events recorded by transaction ");
    }

    /**
     * Member orgs read by membership; any other org needs a consent grant in force for its MSP. Role grants are not
     * honoured here because a role attribute is only as trustworthy as the CA of the org that issued it.
     */
    private String accessBasis(ChaincodeStub stub, Caller caller, String recordId, String patient, Instant now) {
        if (policy.canRead(caller)) {
            return "member:" + caller.mspId();
        }
        if (patient != null && Fields.MSP_ID.matcher(caller.mspId()).matches()) {
            String stored = read(stub, key(stub, KEY_GRANT, patient, caller.mspId()));
            if (stored != null && AccessGrant.GRANTED.equals(AccessGrant.fromJson(stored).reasonAt(now))) {
                return "grant:" + caller.mspId();
            }
        }
        throw RegistryError.FORBIDDEN.exception("caller has no access to record id " + recordId);
    }

    @Transaction(name = "ListAccessEvents", intent = Transaction.TYPE.EVALUATE)
    public String listAccessEvents(Context ctx, String recordId) {
        authorize(ctx, policy::canRead, "read the access log");
        ChaincodeStub stub = ctx.getStub();
        String id = Fields.matching(recordId, Fields.RECORD_ID, "recordId");
        List<Map<String, Object>> events = new ArrayList<>();
        try (QueryResultsIterator<KeyValue> it = stub.getStateByPartialCompositeKey(
                stub.createCompositeKey(KEY_ACCESS, id))) {
            for (KeyValue kv : it) {
                events.add(CanonicalJson.parseObject(kv.getStringValue(), "stored access event"));
            }
        }
        // Keys sort by transaction id, which is random; readers want the log in time order.
        events.sort(Comparator.comparing((Map<String, Object> e) -> (String) e.get("at"))
                .thenComparing(e -> (String) e.get("txId")));
        return CanonicalJson.write(events);
    }

    // ---------------------------------------------------------------- helpers

    private Caller authorize(Context ctx, java.util.function.Predicate<Caller> rule, String action) {
        Caller caller = caller(ctx);
        if (!rule.test(caller)) {
            throw RegistryError.FORBIDDEN.exception("caller may not " + action);
        }
        return caller;
    }

    private static Caller caller(Context ctx) {
        ClientIdentity identity = ctx.getClientIdentity();
        if (identity == null || identity.getMSPID() == null || identity.getId() == null) {
            throw RegistryError.FORBIDDEN.exception("caller identity is unavailable");
        }
        // The certificate id names a person; the log keeps a digest that matches it without revealing it.
        return new Caller(identity.getMSPID(), identity.getAttributeValue(AccessPolicy.ROLE_ATTRIBUTE),
                sha256Hex(identity.getId()));
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes(text)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM provides SHA-256", e);
        }
    }

    private static String key(ChaincodeStub stub, String type, String... attributes) {
        return stub.createCompositeKey(type, attributes).toString();
    }

    /** Fabric returns an empty value, not null, for a key that was never written. */
    private static String read(ChaincodeStub stub, String key) {
        byte[] value = stub.getState(key);
        return value == null || value.length == 0 ? null : new String(value, StandardCharsets.UTF_8);
    }

    private static void write(ChaincodeStub stub, String key, String json) {
        stub.putState(key, bytes(json));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
