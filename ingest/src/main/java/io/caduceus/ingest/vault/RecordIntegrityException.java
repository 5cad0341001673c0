package io.caduceus.ingest.vault;

/**
 * Stored bytes failed their checksum or authentication tag: the data was corrupted or tampered with, or a ciphertext
 * was moved under another record id. Never retriable: the same bytes will fail the same way.
 */
public final class RecordIntegrityException extends VaultException {

    private static final long serialVersionUID = 1L;

    public RecordIntegrityException(String message) {
        super(message, false);
    }

    public RecordIntegrityException(String message, Throwable cause) {
        super(message, false, cause);
    }
}
