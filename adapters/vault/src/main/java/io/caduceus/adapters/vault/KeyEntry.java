package io.caduceus.adapters.vault;

import javax.crypto.SecretKey;

/**
 * One generation of one owner's data key: the wrapped form (what is stored) and, once used, the unwrapped key cached
 * in memory. Shared by both vault implementations.
 *
 * <p>An owner (a patient pseudonym) has at most one live generation. Erasure destroys it; the next record about the
 * same pseudonym creates generation + 1, so a returning patient is stored again under a key unrelated to the erased
 * one. Records and quarantined messages remember the generation they were sealed under.
 */
final class KeyEntry {

    final String owner;
    final int generation;
    final String keyId;
    final byte[] wrapped;
    private volatile SecretKey key;
    /** Written by the writer thread once the wrapped key is forced to disk; records must never get ahead of it. */
    volatile boolean persisted;
    volatile boolean erased;

    KeyEntry(String owner, int generation, String keyId, byte[] wrapped, SecretKey key, boolean persisted) {
        this.owner = owner;
        this.generation = generation;
        this.keyId = keyId;
        this.wrapped = wrapped;
        this.key = key;
        this.persisted = persisted;
    }

    SecretKey key(Keyring keyring) {
        SecretKey k = key;
        if (k == null) {
            k = keyring.unwrap(owner, generation, keyId, wrapped);
            key = k;
        }
        return k;
    }

    void forget() {
        // Drops our reference; the JDK offers no reliable way to wipe SecretKeySpec's internal copy.
        key = null;
        erased = true;
    }
}
