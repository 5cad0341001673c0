package io.caduceus.chaincode;

import io.caduceus.chaincode.AccessPolicy.Caller;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hyperledger.fabric.contract.ClientIdentity;
import org.hyperledger.fabric.contract.Context;
import org.hyperledger.fabric.contract.ContractInterface;
import org.hyperledger.fabric.contract.annotation.Contract;
import org.hyperledger.fabric.contract.annotation.Default;
import org.hyperledger.fabric.contract.annotation.Info;
import org.hyperledger.fabric.contract.annotation.Transaction;
import org.hyperledger.fabric.shim.ChaincodeStub;
import org.hyperledger.fabric.shim.ledger.CompositeKey;
import org.hyperledger.fabric.shim.ledger.KeyModification;
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

    static final String KEY_ENTRY = "caduceus.entry";
    static final String KEY_PATIENT_INDEX = "caduceus.patient~record";
    static final String KEY_ANCHOR = "caduceus.anchor";
    static final String KEY_ANCHOR_LATEST = "caduceus.anchor.latest";
    static final String KEY_GRANT = "caduceus.grant";
    static final String KEY_ACCESS = "caduceus.access";

    /** Bounds one transaction's read/write set; the adapter cuts batches well below this. */
    static final int MAX_BATCH = 1000;
    /** Index entries carry no value of their own; Fabric treats an empty value as a delete, hence one byte. */
    private static final byte[] INDEX_VALUE = {0};

    private final AccessPolicy policy;

    /** Used by the contract router, which instantiates contracts reflectively. */
    public RecordRegistry() {
        this(AccessPolicy.fromEnvironment(System.getenv()));
    }

    RecordRegistry(AccessPolicy policy) {
        this.policy = policy;
    }

    // ---------------------------------------------------------------- ledger entries

    @Transaction(name = "PutEntries", intent = Transaction.TYPE.SUBMIT)
    public String putEntries(Context ctx, String batchJson) {
        Caller caller = authorize(ctx, policy::canWriteEntries, "put ledger entries");
        ChaincodeStub stub = ctx.getStub();
        List<Object> items = CanonicalJson.parseArray(batchJson, "batch");
        if (items.isEmpty() || items.size() > MAX_BATCH) {
            throw RegistryError.INVALID_ARGUMENT.exception("a batch holds 1 to " + MAX_BATCH + " entries");
        }
        // Validate everything first: one bad entry rejects the batch, and nothing is written.
        Map<String, LedgerEntry> batch = new TreeMap<>();
        for (Object item : items) {
            LedgerEntry entry = LedgerEntry.fromMap(item);
            LedgerEntry previous = batch.putIfAbsent(entry.recordId(), entry);
            if (previous != null && !previous.equals(entry)) {
                throw RegistryError.CONFLICT.exception("record id " + entry.recordId()
                        + " appears twice in the batch with different content");
            }
        }
        List<LedgerEntry> fresh = new ArrayList<>();
        for (LedgerEntry entry : batch.values()) {
            String stored = read(stub, key(stub, KEY_ENTRY, entry.recordId()));
            if (stored == null) {
                fresh.add(entry);
            } else if (!LedgerEntry.fromJson(stored).equals(entry)) {
                throw RegistryError.CONFLICT.exception("record id " + entry.recordId()
                        + " is already on the ledger with different content");
            }
        }
        List<String> ids = new ArrayList<>();
        for (LedgerEntry entry : fresh) {
            write(stub, key(stub, KEY_ENTRY, entry.recordId()), entry.toJson());
            if (entry.patientPseudonym() != null) {
                stub.putState(key(stub, KEY_PATIENT_INDEX, entry.patientPseudonym(), entry.recordId()), INDEX_VALUE);
            }
            ids.add(entry.recordId());
        }
        Map<String, Object> summary = new TreeMap<>();
        summary.put("batchSize", (long) items.size());
        summary.put("duplicates", (long) (items.size() - fresh.size()));
        // Only newly written ids: the bridge appends each listed record to the Merkle log exactly once.
        summary.put("recordIds", ids);
        summary.put("submitter", caller.mspId());
        String payload = CanonicalJson.write(summary);
        stub.setEvent(EVENT_ENTRIES_COMMITTED, bytes(payload));
        return payload;
    }

    @Transaction(name = "GetEntry", intent = Transaction.TYPE.EVALUATE)
    public String getEntry(Context ctx, String recordId) {
        authorize(ctx, policy::canRead, "read ledger entries");
        ChaincodeStub stub = ctx.getStub();
        String id = Fields.matching(recordId, Fields.RECORD_ID, "recordId");
        String stored = read(stub, key(stub, KEY_ENTRY, id));
        if (stored == null) {
            throw RegistryError.NOT_FOUND.exception("no ledger entry for record id " + id);
        }
        return stored;
    }

    @Transaction(name = "GetEntryHistory", intent = Transaction.TYPE.EVALUATE)
    public String getEntryHistory(Context ctx, String recordId) {
        authorize(ctx, policy::canRead, "read ledger entries");
        ChaincodeStub stub = ctx.getStub();
        String id = Fields.matching(recordId, Fields.RECORD_ID, "recordId");
        List<Object> history = new ArrayList<>();
        try (QueryResultsIterator<KeyModification> it = stub.getHistoryForKey(key(stub, KEY_ENTRY, id))) {
            for (KeyModification modification : it) {
                Map<String, Object> item = new TreeMap<>();
                item.put("txId", modification.getTxId());
                item.put("timestamp", modification.getTimestamp().toString());
                item.put("isDeleted", modification.isDeleted());
                if (!modification.isDeleted()) {
                    item.put("entry", LedgerEntry.fromJson(modification.getStringValue()).toMap());
                }
                history.add(item);
            }
        }
        if (history.isEmpty()) {
            throw RegistryError.NOT_FOUND.exception("no history for record id " + id);
        }
        return CanonicalJson.write(history);
    }

    @Transaction(name = "ListEntriesByPatient", intent = Transaction.TYPE.EVALUATE)
    public String listEntriesByPatient(Context ctx, String pseudonym) {
        authorize(ctx, policy::canRead, "read ledger entries");
        ChaincodeStub stub = ctx.getStub();
        String patient = Fields.matching(pseudonym, Fields.PSEUDONYM, "patientPseudonym");
        Map<String, Object> entries = new TreeMap<>();
        try (QueryResultsIterator<KeyValue> it = stub.getStateByPartialCompositeKey(
                stub.createCompositeKey(KEY_PATIENT_INDEX, patient))) {
            for (KeyValue kv : it) {
                String id = CompositeKey.parseCompositeKey(kv.getKey()).getAttributes().get(1);
                String stored = read(stub, key(stub, KEY_ENTRY, id));
                if (stored != null) {
                    entries.put(id, LedgerEntry.fromJson(stored).toMap());
                }
            }
        }
        return CanonicalJson.write(new ArrayList<>(entries.values()));
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
                throw RegistryError.CONFLICT.exception("tree size " + receipt.treeSize()
                        + " is already anchored with a different receipt");
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
        Instant now = stub.getTxTimestamp();
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
        String json = existing.revoke(caller.mspId(), stub.getTxTimestamp()).toJson();
        write(stub, key, json);
        return json;
    }

    @Transaction(name = "CheckAccess", intent = Transaction.TYPE.EVALUATE)
    public String checkAccess(Context ctx, String pseudonym, String grantee, String atInstant) {
        authorize(ctx, policy::canRead, "check consent");
        ChaincodeStub stub = ctx.getStub();
        String key = grantKey(stub, pseudonym, grantee);
        Instant at = atInstant == null || atInstant.isEmpty() ? stub.getTxTimestamp()
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

    @Transaction(name = "LogAccess", intent = Transaction.TYPE.SUBMIT)
    public String logAccess(Context ctx, String recordId, String purpose) {
        Caller caller = caller(ctx);
        ChaincodeStub stub = ctx.getStub();
        String id = Fields.matching(recordId, Fields.RECORD_ID, "recordId");
        String code = Fields.matching(purpose, Fields.PURPOSE, "purpose");
        String stored = read(stub, key(stub, KEY_ENTRY, id));
        if (stored == null) {
            throw RegistryError.NOT_FOUND.exception("no ledger entry for record id " + id);
        }
        Instant now = stub.getTxTimestamp();
        String basis = accessBasis(stub, caller, LedgerEntry.fromJson(stored), now);
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
     * Member orgs read by membership; any other org needs a consent grant in force for its MSP. Role grants are not
     * honoured here because a role attribute is only as trustworthy as the CA of the org that issued it.
     */
    private String accessBasis(ChaincodeStub stub, Caller caller, LedgerEntry entry, Instant now) {
        if (policy.canRead(caller)) {
            return "member:" + caller.mspId();
        }
        if (entry.patientPseudonym() != null && Fields.MSP_ID.matcher(caller.mspId()).matches()) {
            String stored = read(stub, key(stub, KEY_GRANT, entry.patientPseudonym(), caller.mspId()));
            if (stored != null && AccessGrant.GRANTED.equals(AccessGrant.fromJson(stored).reasonAt(now))) {
                return "grant:" + caller.mspId();
            }
        }
        throw RegistryError.FORBIDDEN.exception("caller has no access to record id " + entry.recordId());
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
