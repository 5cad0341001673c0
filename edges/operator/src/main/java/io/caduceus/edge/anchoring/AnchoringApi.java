package io.caduceus.edge.anchoring;

import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.bridge.RecordNotLoggedException;
import io.caduceus.bridge.anchoring.AnchoringService;
import io.caduceus.core.commitment.HidingCommitments;
import io.caduceus.core.commitment.Salt;
import io.caduceus.core.domain.MessageId;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.merkle.ConsistencyProof;
import io.caduceus.core.proof.ProofBundle;
import io.caduceus.edge.services.IngestServices;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The bean {@code anchoring} of camel/anchoring.camel.yaml: the anchoring tick, proof bundles for auditors, and the
 * bridge's status. Answers are JSON; errors are {@code {"error": ...}} with ids and sizes only, never record content.
 */
public final class AnchoringApi {

    /** The path segment that {@code /api/proofs/{recordId}} serves as the consistency endpoint (ids start with r). */
    static final String CONSISTENCY = "consistency";
    /**
     * The path segment that names a message instead of a record id: {@code ?sender=APP^FACILITY&controlId=MSH-10}
     * (ids start with r, so no record id can be this). The record id is derived here, as the intake derives it: the
     * keyed one, or the format 1 one of a message stored before keyed ids when only that one is known.
     */
    static final String BY_MESSAGE = "by-message";

    private final AnchoringService service;
    private final IngestServices ingest;
    /** Why there is no service, when there is none. */
    private final String unavailable;

    public AnchoringApi(AnchoringService service, IngestServices ingest, String unavailable) {
        this.service = service;
        this.ingest = ingest;
        this.unavailable = unavailable;
    }

    public void tick() {
        if (service != null) {
            service.tick();
        }
    }

    /**
     * {@code GET /api/proofs/{recordId}[?includeSalt=true]}: 200 with the bundle, 202 while the record is stored but
     * not yet in the anchoring log, 404 for an unknown record. {@code GET /api/proofs/consistency?from=M&to=N}: the
     * proof that the log at N extends the log at M.
     */
    public void proof(Exchange exchange) {
        Message message = exchange.getMessage();
        String id = message.getHeader("recordId", String.class);
        if (service == null) {
            answer(message, 503, Map.of("error", unavailable));
            return;
        }
        if (CONSISTENCY.equals(id)) {
            consistency(message);
            return;
        }
        Optional<RecordId> resolved = recordId(message, id);
        if (resolved.isEmpty()) {
            return;
        }
        RecordId recordId = resolved.get();
        ProofBundle bundle;
        try {
            bundle = service.proofs().proofFor(recordId);
        } catch (RecordNotLoggedException e) {
            if (ingest.vault().contains(recordId.value())) {
                answer(message, 202, Map.of("recordId", recordId.value(), "status", "pending",
                        "detail", "stored, not yet in the anchoring log; ask again shortly"));
            } else {
                answer(message, 404, Map.of("recordId", recordId.value(), "error", "no such record"));
            }
            return;
        }
        if (Boolean.parseBoolean(message.getHeader("includeSalt", "false", String.class))) {
            Optional<VaultRecord> record = ingest.vault().get(recordId.value());
            if (record.isEmpty()) {
                answer(message, 404, Map.of("recordId", recordId.value(),
                        "error", "the record is no longer in the vault; its salt cannot be released"));
                return;
            }
            Salt salt = Salt.of(record.get().salt());
            // A salt that does not open the logged commitment would make the auditor's check fail for our fault.
            Digest opened = HidingCommitments.commit(salt, record.get().canonicalBundle());
            if (!opened.equals(bundle.commitment())) {
                answer(message, 409, Map.of("recordId", recordId.value(),
                        "error", "the vault's record does not open the logged commitment"));
                return;
            }
            bundle = new ProofBundle(bundle.recordId(), bundle.commitment(), Optional.of(salt), bundle.inclusion(),
                    bundle.root(), bundle.anchor());
        }
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setBody(bundle.toJson());
    }

    private void consistency(Message message) {
        long size = service.log().size();
        long from;
        long to;
        try {
            from = Long.parseLong(message.getHeader("from", "", String.class).trim());
            to = Long.parseLong(message.getHeader("to", "", String.class).trim());
        } catch (NumberFormatException e) {
            answer(message, 400, Map.of("error", "from and to must be tree sizes"));
            return;
        }
        if (from < 1 || from > to || to > size) {
            answer(message, 400, Map.of("error", "need 1 <= from <= to <= " + size, "logSize", size));
            return;
        }
        ConsistencyProof proof = service.proofs().consistency(from, to);
        List<Object> path = new ArrayList<>();
        for (Digest d : proof.path()) {
            path.add(d.hex());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("firstSize", proof.firstSize());
        out.put("secondSize", proof.secondSize());
        out.put("path", path);
        answer(message, 200, out);
    }

    /**
     * {@code GET /api/ledger/{recordId}}: where the record's ledger entry is (leaf, Fabric block and transaction, anchor);
     * 202 while the record is stored but not yet in the log, 404 for an unknown record.
     */
    public void ledgerEntry(Exchange exchange) {
        Message message = exchange.getMessage();
        if (service == null) {
            answer(message, 503, Map.of("error", unavailable));
            return;
        }
        Optional<RecordId> resolved = recordId(message, message.getHeader("recordId", String.class));
        if (resolved.isEmpty()) {
            return;
        }
        RecordId recordId = resolved.get();
        Optional<Map<String, Object>> entry = service.ledgerEntry(recordId);
        if (entry.isPresent()) {
            answer(message, 200, entry.get());
        } else if (ingest.vault().contains(recordId.value())) {
            answer(message, 202, Map.of("recordId", recordId.value(), "status", "pending",
                    "detail", "stored, not yet committed to the ledger and logged by the bridge; ask again shortly"));
        } else {
            answer(message, 404, Map.of("recordId", recordId.value(), "error", "no such record"));
        }
    }

    /**
     * {@code GET /api/track/{recordId}} and {@code /api/track/by-message?sender=&controlId=}: where one message is, as
     * an operator follows it: received, in the vault (or quarantined, when named by message), committed to the ledger
     * (Fabric block and transaction, or the Kafka position), its Merkle leaf, and the anchor covering it with its
     * confirmations. Each stage is {@code done}, {@code pending} or {@code absent}; 404 when no stage holds the message.
     * Ids, positions and times only: nothing of the record's content.
     */
    public void track(Exchange exchange) {
        Message message = exchange.getMessage();
        String pathId = message.getHeader("recordId", String.class);
        Optional<RecordId> resolved = recordId(message, pathId);
        if (resolved.isEmpty()) {
            return;
        }
        RecordId recordId = resolved.get();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("recordId", recordId.value());
        List<Object> stages = new ArrayList<>();
        Optional<VaultRecord> stored = ingest.vault().get(recordId.value());
        Optional<Map<String, Object>> entry = service == null ? Optional.empty() : service.ledgerEntry(recordId);
        Optional<Instant> receivedAt = stored.map(VaultRecord::receivedAt);
        stages.add(stage("received", receivedAt.isPresent() || entry.isPresent() ? "done" : "absent",
                receivedAt.map(at -> Map.<String, Object>of("at", at.toString())).orElse(Map.of())));
        stages.add(stage("vault", stored.isPresent() ? "done" : "absent",
                stored.map(r -> Map.<String, Object>of("contentType", r.contentType())).orElse(Map.of())));
        List<Map<String, Object>> quarantined = BY_MESSAGE.equals(pathId) ? quarantined(message) : List.of();
        if (!quarantined.isEmpty()) {
            stages.add(stage("quarantine", "done", Map.of("entries", quarantined)));
        }
        boolean known = stored.isPresent() || entry.isPresent() || !quarantined.isEmpty();
        if (service == null) {
            stages.add(stage("ledger", "unknown", Map.of("problem", unavailable)));
        } else if (entry.isPresent()) {
            Map<String, Object> e = entry.get();
            stages.add(stage("ledger", "done", (Map<?, ?>) e.get("committed")));
            stages.add(stage("merkle", "done", Map.of("leafIndex", e.get("leafIndex"), "commitment", e.get("commitment"))));
            Map<?, ?> anchor = (Map<?, ?>) e.get("anchor");
            Map<String, Object> details = new LinkedHashMap<>();
            anchor.forEach((k, v) -> {
                if (!"state".equals(k)) {
                    details.put(String.valueOf(k), v);
                }
            });
            stages.add(stage("anchor", "anchored".equals(anchor.get("state")) ? "done" : "pending", details));
        } else {
            String state = stored.isPresent() ? "pending" : "absent";
            stages.add(stage("ledger", state, Map.of()));
            stages.add(stage("merkle", state, Map.of()));
            stages.add(stage("anchor", state, Map.of()));
        }
        out.put("stages", stages);
        if (!known) {
            out.put("error", "no such message");
        }
        answer(message, known ? 200 : 404, out);
    }

    /** Quarantine entries of the message named by {@code by-message}: they have no record id, only sender and MSH-10. */
    private List<Map<String, Object>> quarantined(Message message) {
        String wanted = message.getHeader("sender", "", String.class) + "^" + message.getHeader("controlId", "", String.class);
        List<Map<String, Object>> found = new ArrayList<>();
        for (QuarantinedMessage q : ingest.vault().listQuarantined()) {
            if (q.originalMessageId().equals(wanted)) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("quarantineId", q.quarantineId());
                item.put("reason", q.reason());
                item.put("receivedAt", q.receivedAt().toString());
                item.put("quarantinedAt", q.quarantinedAt().toString());
                found.add(item);
            }
        }
        return found;
    }

    private static Map<String, Object> stage(String name, String state, Map<?, ?> details) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stage", name);
        out.put("state", state);
        if (details != null) {
            details.forEach((k, v) -> out.put(String.valueOf(k), v));
        }
        return out;
    }

    /** {@code GET /api/anchoring}. */
    public void status(Exchange exchange) {
        Message message = exchange.getMessage();
        answer(message, 200, service != null ? service.status() : Map.of("enabled", false, "problem", unavailable));
    }

    /** The record id of the path, or of {@code by-message?sender=&controlId=}; empty after answering 400. */
    private Optional<RecordId> recordId(Message message, String id) {
        if (BY_MESSAGE.equals(id)) {
            String sender = message.getHeader("sender", "", String.class);
            String controlId = message.getHeader("controlId", "", String.class);
            try {
                List<RecordId> candidates = ingest.recordIds().candidates(new MessageId(SourceSystem.parse(sender), controlId));
                return Optional.of(ingest.readFormatOneIds() && !ingest.vault().contains(candidates.get(0).value())
                        && ingest.vault().contains(candidates.get(1).value()) ? candidates.get(1) : candidates.get(0));
            } catch (RuntimeException e) {
                answer(message, 400, Map.of("error", "by-message needs sender=APP^FACILITY (MSH-3^MSH-4) and "
                        + "controlId=MSH-10"));
                return Optional.empty();
            }
        }
        try {
            return Optional.of(new RecordId(id));
        } catch (RuntimeException e) {
            answer(message, 400, Map.of("error", "a record id is r2_ (or r_) and 32 hex digits"));
            return Optional.empty();
        }
    }

    private static void answer(Message message, int status, Map<String, ?> body) {
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setBody(CanonicalJson.write(body));
    }
}
