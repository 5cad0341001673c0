package io.caduceus.ingest.vault;

/**
 * A record id is already stored with different content. Ids are content-derived upstream, so this signals a bug or an
 * attack rather than a benign retry (identical re-puts succeed silently).
 */
public final class RecordConflictException extends VaultException {

    private static final long serialVersionUID = 1L;

    private final String recordId;

    public RecordConflictException(String recordId) {
        super("record " + recordId + " is already stored with different content", false);
        this.recordId = recordId;
    }

    public String recordId() {
        return recordId;
    }
}
