package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.VaultException;

/**
 * Internal: a record or quarantined message was sealed under a key generation that an erasure destroyed before it was
 * written. The vault seals it again under the patient's new generation; callers never see this.
 */
final class StaleKeyException extends VaultException {

    private static final long serialVersionUID = 1L;

    /** How often a put is sealed again before giving up (each retry needs an erasure racing it). */
    static final int ATTEMPTS = 10;

    StaleKeyException() {
        super("the patient's data key was erased while the write was queued", true);
    }
}
