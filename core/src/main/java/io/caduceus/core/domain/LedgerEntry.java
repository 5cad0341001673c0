package io.caduceus.core.domain;

import io.caduceus.core.hash.Digest;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonException;
import io.caduceus.core.json.JsonFields;
import io.caduceus.core.pseudonym.PatientPseudonym;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the ledgers learn about a record, and all they learn: its id, its hiding commitment, the kind of message, which
 * system sent it, when it arrived and the patient's pseudonym. Nothing here identifies a patient. Travels as canonical
 * JSON (RFC 8785), so every party serializes an entry to the same bytes.
 *
 * @param patientPseudonym empty for messages about no patient (a master-file update, say)
 */
public record LedgerEntry(RecordId recordId, Digest commitment, String messageType, SourceSystem source,
        Instant receivedAt, Optional<PatientPseudonym> patientPseudonym) {

    public LedgerEntry {
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(commitment, "commitment");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(patientPseudonym, "patientPseudonym");
        if (!isMessageType(messageType)) {
            throw new IllegalArgumentException("message type must be 1 to 64 characters of [A-Za-z0-9_^.:/-]");
        }
        // Millisecond precision: what every consumer (Kafka timestamps, chaincode, JavaScript) can hold exactly.
        receivedAt = receivedAt.truncatedTo(ChronoUnit.MILLIS);
    }

    /** 1 to 64 characters of [A-Za-z0-9_^.:/-]. */
    private static boolean isMessageType(String value) {
        if (value == null || value.isEmpty() || value.length() > 64) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean allowed = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                    || c == '_' || c == '^' || c == '.' || c == ':' || c == '/' || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    public Map<String, Object> toJsonMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("recordId", recordId.value());
        map.put("commitment", commitment.hex());
        map.put("messageType", messageType);
        map.put("source", source.toString());
        map.put("receivedAt", receivedAt.toString());
        patientPseudonym.ifPresent(p -> map.put("patientPseudonym", p.value()));
        return map;
    }

    public String toJson() {
        return CanonicalJson.write(toJsonMap());
    }

    public byte[] toJsonBytes() {
        return toJson().getBytes(StandardCharsets.UTF_8);
    }

    public static LedgerEntry fromJson(String json) {
        if (!(CanonicalJson.parse(json) instanceof Map<?, ?> map)) {
            throw new JsonException("a ledger entry must be a JSON object");
        }
        return fromJsonMap(map);
    }

    public static LedgerEntry fromJsonMap(Map<?, ?> map) {
        try {
            Object pseudonym = map.get("patientPseudonym");
            return new LedgerEntry(
                    new RecordId(JsonFields.string(map, "recordId")),
                    Digest.fromHex(JsonFields.string(map, "commitment")),
                    JsonFields.string(map, "messageType"),
                    SourceSystem.parse(JsonFields.string(map, "source")),
                    Instant.parse(JsonFields.string(map, "receivedAt")),
                    pseudonym == null ? Optional.empty() : Optional.of(new PatientPseudonym(pseudonym.toString())));
        } catch (DateTimeParseException e) {
            throw new JsonException("ledger entry receivedAt is not an ISO-8601 instant");
        }
    }
}
