package io.caduceus.ingest.vault;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * One clinical record as kept off-chain. Immutable; byte arrays are copied in and out so a caller cannot change a
 * record after it was stored or compared.
 *
 * <p>{@link #toString()} shows only the record id and sizes because records travel through code that logs freely;
 * the bundle, the original message and the salt are PHI or secret.
 */
public final class VaultRecord {

    /** Length of the commitment salt: 256 bits, so the hiding commitment cannot be brute-forced from guessable content. */
    public static final int SALT_LENGTH = 32;

    private final String recordId;
    private final String patientPseudonym;
    private final byte[] salt;
    private final String contentType;
    private final byte[] canonicalBundle;
    private final byte[] originalMessage;
    private final Instant receivedAt;
    private final List<String> lookupKeys;

    public VaultRecord(String recordId, String patientPseudonym, byte[] salt, String contentType,
                       byte[] canonicalBundle, byte[] originalMessage, Instant receivedAt) {
        this.recordId = requireText(recordId, "recordId");
        this.patientPseudonym = requireText(patientPseudonym, "patientPseudonym");
        Objects.requireNonNull(salt, "salt");
        if (salt.length != SALT_LENGTH) {
            throw new IllegalArgumentException("salt must be " + SALT_LENGTH + " bytes, was " + salt.length);
        }
        this.salt = salt.clone();
        this.contentType = requireText(contentType, "contentType");
        this.canonicalBundle = Objects.requireNonNull(canonicalBundle, "canonicalBundle").clone();
        this.originalMessage = Objects.requireNonNull(originalMessage, "originalMessage").clone();
        this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
        this.lookupKeys = List.of();
    }

    private VaultRecord(VaultRecord content, List<String> lookupKeys) {
        this.recordId = content.recordId;
        this.patientPseudonym = content.patientPseudonym;
        this.salt = content.salt;
        this.contentType = content.contentType;
        this.canonicalBundle = content.canonicalBundle;
        this.originalMessage = content.originalMessage;
        this.receivedAt = content.receivedAt;
        this.lookupKeys = lookupKeys;
    }

    /** Most lookup keys one record may carry; a bundle names each of its resources once. */
    public static final int MAX_LOOKUP_KEYS = 4096;

    /**
     * This record, findable through {@link RecordVault#findRecords} by each of {@code keys}. Keys are stored in the
     * clear beside the ciphertext, so callers pass opaque digests (never identifiers as they are); duplicates are
     * dropped, order is kept.
     */
    public VaultRecord withLookupKeys(Collection<String> keys) {
        List<String> distinct = keys.stream().distinct().toList();
        if (distinct.size() > MAX_LOOKUP_KEYS) {
            throw new IllegalArgumentException("more than " + MAX_LOOKUP_KEYS + " lookup keys");
        }
        for (String key : distinct) {
            if (key == null || key.isEmpty() || key.length() > 128) {
                throw new IllegalArgumentException("a lookup key must have 1 to 128 characters");
            }
        }
        return new VaultRecord(this, distinct);
    }

    /** The value, refused when null or blank (vault implementations check their ids and owners with it too). */
    public static String requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        if (value.length() > 1024) {
            throw new IllegalArgumentException(name + " is longer than 1024 characters");
        }
        return value;
    }

    public String recordId() {
        return recordId;
    }

    public String patientPseudonym() {
        return patientPseudonym;
    }

    public byte[] salt() {
        return salt.clone();
    }

    public String contentType() {
        return contentType;
    }

    public byte[] canonicalBundle() {
        return canonicalBundle.clone();
    }

    public byte[] originalMessage() {
        return originalMessage.clone();
    }

    public Instant receivedAt() {
        return receivedAt;
    }

    /**
     * The keys {@link RecordVault#findRecords} will find this record by, as given to {@code put}. Records read back
     * by {@link RecordVault#get} carry none: the vault answers lookups, the record is the content.
     */
    public List<String> lookupKeys() {
        return lookupKeys;
    }

    // Views without copying, for vault implementations (their codecs are on the hot path): the arrays themselves,
    // which a caller must never modify. Everyone else gets copies from the accessors above.
    public byte[] saltUnsafe() {
        return salt;
    }

    public byte[] canonicalBundleUnsafe() {
        return canonicalBundle;
    }

    public byte[] originalMessageUnsafe() {
        return originalMessage;
    }

    /**
     * Equality is of the content only, not of {@link #lookupKeys()}: those are an index over the content, and a
     * record stored before keys existed must still be re-puttable without a conflict.
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof VaultRecord other)) {
            return false;
        }
        return recordId.equals(other.recordId)
                && patientPseudonym.equals(other.patientPseudonym)
                && Arrays.equals(salt, other.salt)
                && contentType.equals(other.contentType)
                && Arrays.equals(canonicalBundle, other.canonicalBundle)
                && Arrays.equals(originalMessage, other.originalMessage)
                && receivedAt.equals(other.receivedAt);
    }

    /** Hashes the id only: consistent with equals (equal records share an id) and derives nothing from PHI. */
    @Override
    public int hashCode() {
        return recordId.hashCode();
    }

    @Override
    public String toString() {
        return "VaultRecord[recordId=" + recordId + ", bundleBytes=" + canonicalBundle.length
                + ", originalBytes=" + originalMessage.length + "]";
    }
}
