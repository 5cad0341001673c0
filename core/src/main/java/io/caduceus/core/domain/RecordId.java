package io.caduceus.core.domain;

import java.util.Objects;

/**
 * The id of a record on the ledgers and in the vault: {@code r2_} and 32 lowercase hex digits, an HMAC under the
 * deployment's record-id key (see {@link RecordIds}). Ids of format 1, {@code r_} and 32 hex digits (an unkeyed hash
 * of the sender's message id, which anyone could recompute), are still read: records, ledger entries and proofs made
 * before format 2 carry them. No code makes new ones.
 */
public record RecordId(String value) implements Comparable<RecordId> {

    static final String PREFIX = "r2_";
    static final String LEGACY_PREFIX = "r_";
    private static final int HEX_DIGITS = 32;

    public RecordId {
        Objects.requireNonNull(value, "value");
        if (!isValid(value)) {
            throw new IllegalArgumentException("not a record id (expected r2_ and 32 hex digits, or r_ for format 1)");
        }
    }

    /** Either format. */
    public static boolean isValid(String value) {
        return isCurrentFormat(value) || Formats.isPrefixedLowerHex(value, LEGACY_PREFIX, HEX_DIGITS);
    }

    /** Format 2, the one made now: {@code r2_} and 32 lowercase hex digits. */
    public static boolean isCurrentFormat(String value) {
        return Formats.isPrefixedLowerHex(value, PREFIX, HEX_DIGITS);
    }

    /** Whether this id was made before format 2 (an unkeyed hash). */
    public boolean isLegacy() {
        return value.startsWith(LEGACY_PREFIX);
    }

    /** The 32 hex digits without the format prefix (the FHIR version id and logical id of created resources). */
    public String hex() {
        return value.substring(value.length() - HEX_DIGITS);
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
