package io.caduceus.core.domain;

import io.caduceus.core.hash.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The id of a record on the ledgers and in the vault: {@code r_} and 32 lowercase hex digits. Derived from the sender's
 * message id so that a retransmission maps onto the record already stored, and hashed so that the id reveals nothing
 * about the sender's numbering.
 */
public record RecordId(String value) implements Comparable<RecordId> {

    private static final String PREFIX = "r_";
    private static final int HEX_DIGITS = 32;

    public RecordId {
        Objects.requireNonNull(value, "value");
        if (!Formats.isPrefixedLowerHex(value, PREFIX, HEX_DIGITS)) {
            throw new IllegalArgumentException("not a record id (expected r_ and 32 hex digits)");
        }
    }

    public static RecordId forMessage(MessageId message) {
        String input = "caduceus.record-id.v1\0" + message.source().application() + "\0" + message.source().facility()
                + "\0" + message.controlId();
        return new RecordId("r_" + Sha256.digest(input.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 32));
    }

    /** For records with no sender numbering (a FHIR create): derived from the commitment, unique per record. */
    public static RecordId forCommitment(io.caduceus.core.hash.Digest commitment) {
        byte[] label = "caduceus.record-id.v1\0commitment\0".getBytes(StandardCharsets.US_ASCII);
        return new RecordId("r_" + Sha256.digest(label, commitment.toBytes()).hex().substring(0, 32));
    }

    public static boolean isValid(String value) {
        return Formats.isPrefixedLowerHex(value, PREFIX, HEX_DIGITS);
    }

    @Override
    public int compareTo(RecordId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
