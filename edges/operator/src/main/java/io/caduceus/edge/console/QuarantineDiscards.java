package io.caduceus.edge.console;

import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.core.io.DurableFiles;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.edge.access.ApiAccess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Discarding a quarantined message an operator has decided not to reprocess ({@code POST /api/quarantine/{id}/discard}
 * with {@code {"reason": "..."}}), and the content of a quarantined message for the roles allowed to see patient data.
 *
 * <p>A discard deletes nothing: the message stays encrypted in the vault's quarantine, so a wrong decision can be
 * undone by hand and an audit can still read what was thrown away. The decision (who, when, why) is appended to a
 * register in the data directory ({@code quarantine-discards.jsonl}, owner-only, synced before the answer), and the
 * listing shows discarded messages apart from those still waiting; a discarded message cannot be reprocessed. The
 * reason is free text an operator writes, so it stays in that register and the API: the access log records the
 * action by ids only ({@link OperatorAudit}).
 */
public final class QuarantineDiscards {

    static final String FILE = "quarantine-discards.jsonl";
    static final int MAX_REASON = 500;

    /** One discard decision. */
    record Discard(String quarantineId, String reason, String by, Instant at) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("quarantineId", quarantineId);
            m.put("reason", reason);
            m.put("discardedBy", by);
            m.put("discardedAt", at.toString());
            return m;
        }
    }

    private final Supplier<RecordVault> vault;
    private final Path register;
    private final Clock clock;
    private final Map<String, Discard> discards = new ConcurrentHashMap<>();

    QuarantineDiscards(Supplier<RecordVault> vault, Path directory, Clock clock) {
        this.vault = vault;
        this.register = directory.resolve(FILE);
        this.clock = clock;
        load();
    }

    /** {@code POST /api/quarantine/{id}/discard}, after the gate and the access event. */
    public void discard(Exchange exchange) {
        Message message = exchange.getMessage();
        String id = message.getHeader("id", String.class);
        Optional<String> reason = reason(message.getBody(String.class));
        if (reason.isEmpty()) {
            OperatorAudit.answer(exchange, 400, Map.of("error", "bad-request", "message",
                    "send {\"reason\": \"...\"}: why the message is discarded, 1 to " + MAX_REASON
                            + " characters (no patient data: it is kept in clear in the discard register)"));
            return;
        }
        synchronized (this) {
            Optional<QuarantinedMessage> kept = id == null ? Optional.empty() : vault.get().getQuarantined(id);
            if (kept.isEmpty()) {
                OperatorAudit.answer(exchange, 404, Map.of("error", "no quarantined message with that id"));
                return;
            }
            Discard earlier = discards.get(id);
            if (earlier != null) {
                OperatorAudit.answer(exchange, 409, Map.of("error", "already discarded", "discard", earlier.toMap()));
                return;
            }
            Discard discard = new Discard(id, reason.get(),
                    exchange.getProperty(ApiAccess.CALLER_ID, "unknown", String.class), clock.instant());
            append(discard);
            discards.put(id, discard);
            Map<String, Object> answer = new LinkedHashMap<>(discard.toMap());
            answer.put("kept", true);
            OperatorAudit.answer(exchange, 200, answer);
        }
    }

    /** Before reprocessing: a discarded message stays discarded (409). */
    public void refuseIfDiscarded(Exchange exchange) {
        String id = exchange.getMessage().getHeader("id", String.class);
        Discard discard = id == null ? null : discards.get(id);
        if (discard != null) {
            OperatorAudit.answer(exchange, 409, Map.of("error", "this message was discarded; it is kept but not "
                    + "reprocessed", "discard", discard.toMap()));
        }
    }

    /**
     * After {@code quarantineAdmin.list}: moves discarded entries from {@code quarantined} to {@code discarded}, each
     * with its decision, so the waiting list is what still needs an operator.
     */
    @SuppressWarnings("unchecked")
    public void annotate(Exchange exchange) {
        Message message = exchange.getMessage();
        Map<String, Object> listing = new LinkedHashMap<>((Map<String, Object>) CanonicalJson.parse(
                message.getBody(String.class)));
        List<Object> waiting = new ArrayList<>();
        List<Object> discarded = new ArrayList<>();
        for (Object item : (List<Object>) listing.getOrDefault("quarantined", List.of())) {
            Map<String, Object> entry = new LinkedHashMap<>((Map<String, Object>) item);
            Discard discard = discards.get(String.valueOf(entry.get("quarantineId")));
            if (discard == null) {
                waiting.add(entry);
            } else {
                entry.put("discard", discard.toMap());
                discarded.add(entry);
            }
        }
        listing.put("quarantined", waiting);
        listing.put("discarded", discarded);
        message.setBody(CanonicalJson.write(listing));
    }

    /**
     * {@code GET /api/quarantine/{id}/content}: the decrypted message, after the privacy-officer gate and the access
     * event. Text as received (UTF-8 when it decodes as such, else ISO-8859-1, HL7 v2's usual default).
     */
    public void content(Exchange exchange) {
        String id = exchange.getMessage().getHeader("id", String.class);
        Optional<QuarantinedMessage> kept = id == null ? Optional.empty() : vault.get().getQuarantined(id);
        if (kept.isEmpty()) {
            OperatorAudit.answer(exchange, 404, Map.of("error", "no quarantined message with that id"));
            return;
        }
        QuarantinedMessage m = kept.get();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("quarantineId", m.quarantineId());
        answer.put("originalMessageId", m.originalMessageId());
        answer.put("reason", m.reason());
        answer.put("content", text(m.originalBytes()));
        Discard discard = discards.get(id);
        if (discard != null) {
            answer.put("discard", discard.toMap());
        }
        OperatorAudit.answer(exchange, 200, answer);
        exchange.getMessage().setHeader("Cache-Control", "no-store");
    }

    boolean isDiscarded(String quarantineId) {
        return discards.containsKey(quarantineId);
    }

    Optional<Discard> discardOf(String quarantineId) {
        return Optional.ofNullable(discards.get(quarantineId));
    }

    static Optional<String> reason(String body) {
        Object parsed;
        try {
            parsed = body == null || body.isBlank() ? null : CanonicalJson.parse(body);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        if (!(parsed instanceof Map<?, ?> map) || !(map.get("reason") instanceof String reason)) {
            return Optional.empty();
        }
        // Control characters would let a reason forge lines of the register or of a terminal showing it.
        String clean = reason.replaceAll("\\p{Cntrl}", " ").strip();
        return clean.isEmpty() || clean.length() > MAX_REASON ? Optional.empty() : Optional.of(clean);
    }

    static String text(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    private void append(Discard discard) {
        try {
            if (!Files.exists(register)) {
                Files.createDirectories(register.getParent());
                Files.createFile(register, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                DurableFiles.forceFolder(register.getParent());
            }
            DurableFiles.appendLine(register, CanonicalJson.write(discard.toMap()));
        } catch (IOException e) {
            throw new UncheckedIOException("the discard register " + register + " cannot be written", e);
        }
    }

    private void load() {
        try {
            // A last line a crash cut short was never answered, so never done: readCompleteLines drops it.
            for (String line : DurableFiles.readCompleteLines(register)) {
                Map<?, ?> m = (Map<?, ?>) CanonicalJson.parse(line);
                Discard d = new Discard((String) m.get("quarantineId"), (String) m.get("reason"),
                        (String) m.get("discardedBy"), Instant.parse((String) m.get("discardedAt")));
                discards.putIfAbsent(d.quarantineId(), d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the discard register " + register + " cannot be read", e);
        }
    }
}
