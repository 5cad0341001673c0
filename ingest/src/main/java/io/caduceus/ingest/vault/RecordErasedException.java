package io.caduceus.ingest.vault;

/**
 * The record (or every record of the patient) has been crypto-erased: the ciphertext may still be stored but its data
 * key is gone, so it can never be decrypted again. Distinct from "not found" so callers can tell a compliant erasure
 * apart from data loss.
 */
public final class RecordErasedException extends VaultException {

    private static final long serialVersionUID = 1L;

    public RecordErasedException(String message) {
        super(message, false);
    }
}
