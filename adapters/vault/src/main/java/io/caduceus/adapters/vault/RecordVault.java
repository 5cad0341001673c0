package io.caduceus.adapters.vault;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The off-chain store of full clinical records. Everything is encrypted at rest under a per-patient data key, so that
 * erasing a patient only has to destroy one small key instead of finding every copy of their data.
 *
 * <p>Implementations are thread-safe.
 */
public interface RecordVault extends AutoCloseable {

    /**
     * Stores a record; when this returns normally the record is durable (survives a crash or power loss).
     * Idempotent: storing an equal record under an existing id is a no-op.
     *
     * @throws RecordConflictException if the id is already stored with different content
     * @throws RecordErasedException   if the record's patient has been erased (erasure is final: replayed messages
     *                                 must not bring the data back)
     * @throws VaultException          on I/O trouble; {@link VaultException#isRetriable()} tells whether to retry
     */
    void put(VaultRecord record);

    /**
     * @return the record, or empty if no record has this id
     * @throws RecordErasedException     if the record exists but its patient was erased
     * @throws RecordIntegrityException  if the stored bytes were corrupted or tampered with
     */
    Optional<VaultRecord> get(String recordId);

    /**
     * The ids of the records stored with {@code lookupKey} among their {@link VaultRecord#lookupKeys()}, oldest
     * first. Erased records stay listed (reading them fails with {@link RecordErasedException}). An index, not the
     * record: an implementation may, with negligible probability (a 64-bit hash collision), list a record that does
     * not carry the key, so a caller that discloses records checks their content.
     */
    List<String> findRecords(String lookupKey);

    /**
     * The ids of the records of a patient pseudonym, oldest first; erased ones stay listed, and the same caveat
     * applies: a caller that discloses records checks {@link VaultRecord#patientPseudonym()}.
     */
    List<String> recordsOfPatient(String patientPseudonym);

    /** Whether a record with this id was stored, including records that have since been erased. */
    boolean contains(String recordId);

    /**
     * Crypto-erasure: destroys the patient's data key so none of their records can be decrypted again, and refuses
     * further records for this pseudonym. Idempotent; durable when it returns.
     */
    void erasePatient(String patientPseudonym);

    /**
     * Keeps a rejected message, encrypted, for later reprocessing. Durable when it returns.
     *
     * @return the stored entry, with its new quarantine id
     */
    QuarantinedMessage quarantine(String originalMessageId, String reason, byte[] originalBytes, Instant receivedAt);

    /** All quarantined messages, oldest first. */
    List<QuarantinedMessage> listQuarantined();

    Optional<QuarantinedMessage> getQuarantined(String quarantineId);

    /** Drops a quarantined message once it has been reprocessed or discarded. @return whether it existed */
    boolean releaseQuarantined(String quarantineId);

    @Override
    void close();
}
