package io.caduceus.adapters.vault;

import javax.crypto.SecretKey;

/**
 * One patient's data key: the wrapped form (what is stored) and, once used, the unwrapped key cached in memory.
 * Shared by both vault implementations.
 */
final class KeyEntry {

    final String owner;
    final String keyId;
    final byte[] wrapped;
    private volatile SecretKey key;
    /** Written by the writer thread once the wrapped key is forced to disk; records must never get ahead of it. */
    volatile boolean persisted;
    volatile boolean erased;

    KeyEntry(String owner, String keyId, byte[] wrapped, SecretKey key, boolean persisted) {
        this.owner = owner;
        this.keyId = keyId;
        this.wrapped = wrapped;
        this.key = key;
        this.persisted = persisted;
    }

    SecretKey key(Keyring keyring) {
        SecretKey k = key;
        if (k == null) {
            k = keyring.unwrap(owner, keyId, wrapped);
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
