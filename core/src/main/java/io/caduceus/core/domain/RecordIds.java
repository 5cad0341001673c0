package io.caduceus.core.domain;

import io.caduceus.core.hash.Sha256;
import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.core.keys.KeyedHash;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Makes record ids (format 2): {@code r2_} and the first 32 hex digits of
 * {@code HMAC-SHA256(record-id key, "message", MSH-3, MSH-4, MSH-10)}.
 *
 * <p>Derived from the sender's message id so that a retransmission maps onto the record already stored; keyed because
 * sender names and control ids are few and guessable, and an unkeyed hash of them (format 1) let anyone confirm
 * that a guessed message was stored, or find its proof.
 */
public final class RecordIds {

    private static final int HEX_DIGITS = 32;

    private final KeyedHash key;

    public RecordIds(DeploymentKeys keys) {
        this.key = Objects.requireNonNull(keys, "keys").keyFor(DeploymentKeys.Purpose.RECORD_ID);
    }

    public RecordId forMessage(MessageId message) {
        return new RecordId(RecordId.PREFIX + key.hex("message", message.source().application(),
                message.source().facility(), message.controlId()).substring(0, HEX_DIGITS));
    }

    /**
     * The ids a message may be stored under, the current one first: a message first stored before format 2 is found
     * (as a duplicate, or by {@code /api/proofs/by-message}) under its old id.
     */
    public List<RecordId> candidates(MessageId message) {
        return List.of(forMessage(message), legacyForMessage(message));
    }

    /** The format 1 id of a message: only for finding records stored before format 2, never for storing new ones. */
    static RecordId legacyForMessage(MessageId message) {
        String input = "caduceus.record-id.v1\0" + message.source().application() + "\0" + message.source().facility()
                + "\0" + message.controlId();
        return new RecordId(RecordId.LEGACY_PREFIX
                + Sha256.digest(input.getBytes(StandardCharsets.UTF_8)).hex().substring(0, HEX_DIGITS));
    }

    @Override
    public String toString() {
        return "RecordIds[key redacted]";
    }
}
