package io.caduceus.ingest.vault;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The off-chain store of full clinical records. Everything is encrypted at rest under a per-patient data key, so that
 * erasing a patient only has to destroy one small key instead of finding every copy of their data.
 *
 * <p>Erasure forgets without blocking: it destroys the patient's current key <em>generation</em> (records, the index
 * entries that find them and quarantined messages kept under it become unreadable and unfindable for good), and the
 * next record about the same pseudonym is stored under a fresh key of the next generation. Only the ids of erased
 * records stay refused (a replayed message must not bring erased data back under its old id).
 *
 * <p>Implementations are thread-safe.
 */
public interface RecordVault extends AutoCloseable {

    /**
     * Stores a record; when this returns normally the record is durable (survives a crash or power loss).
     * Idempotent: storing an equal record under an existing id is a no-op.
     *
     * @throws RecordConflictException if the id is already stored with different content
     * @throws RecordErasedException   if a record with this id was stored and then erased with its patient (an
     *                                 erased id stays refused: replayed messages must not bring the data back);
     *                                 new ids about an erased patient are stored under their new key generation
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
     * first. Erased records are not listed. An index, not the record: an implementation may, with negligible
     * probability (a 64-bit hash collision), list a record that does not carry the key, so a caller that discloses
     * records checks their content; and a record erased while the answer is being used may fail to read with
     * {@link RecordErasedException}.
     */
    List<String> findRecords(String lookupKey);

    /**
     * The ids of the records of a patient pseudonym under its current key generation, oldest first (erased ones are
     * not listed); the same caveat applies: a caller that discloses records checks
     * {@link VaultRecord#patientPseudonym()}.
     */
    List<String> recordsOfPatient(String patientPseudonym);

    /** Whether a record with this id was stored, including records that have since been erased. */
    boolean contains(String recordId);

    /**
     * Whether the pseudonym has a live data key, i.e. something readable may be kept under it (records or quarantined
     * messages) and {@link #erasePatient} would destroy it. Lets a caller record an erasure before doing it.
     */
    boolean holdsPatient(String patientPseudonym);

    /**
     * Crypto-erasure: destroys the patient's current data key generation, so none of the records and quarantined
     * messages kept under it can be decrypted or found again. Records about the pseudonym stored later get a new
     * generation. Durable when it returns.
     *
     * @return whether there was a live key to destroy; false for a pseudonym nothing is stored under (or nothing since
     *         its last erasure), in which case nothing at all is written
     */
    boolean erasePatient(String patientPseudonym);

    /**
     * Keeps a rejected message, encrypted, for later reprocessing. Durable when it returns.
     *
     * @param patientPseudonym the patient the message is about, when it could be told: the message is then kept under
     *                         that patient's data key and erased with them; otherwise under a key of its own,
     *                         destroyed when the message is released
     * @return the stored entry, with its new quarantine id
     */
    QuarantinedMessage quarantine(String originalMessageId, String reason, byte[] originalBytes, Instant receivedAt,
                                  Optional<String> patientPseudonym);

    /** Keeps a rejected message whose patient is unknown, under a key of its own; see the five-argument form. */
    default QuarantinedMessage quarantine(String originalMessageId, String reason, byte[] originalBytes, Instant receivedAt) {
        return quarantine(originalMessageId, reason, originalBytes, receivedAt, Optional.empty());
    }

    /** How many records the vault holds (erased ones included until their rows or files are gone), for the metrics. */
    long recordCount();

    /** How many messages wait in the quarantine, without opening any, for the metrics. */
    long quarantinedCount();

    /** All quarantined messages, oldest first; those of erased patients are gone. */
    List<QuarantinedMessage> listQuarantined();

    Optional<QuarantinedMessage> getQuarantined(String quarantineId);

    /**
     * Drops a quarantined message once it has been reprocessed or discarded; a message kept under a key of its own
     * becomes unreadable for good. @return whether it existed
     */
    boolean releaseQuarantined(String quarantineId);

    /**
     * Why the vault could not store a record right now, or empty when it can: for readiness checks, which bound the
     * time this takes (it may block on the disk or the database). Names the failing part, never a record.
     *
     * @param minFreeBytes the least free space the vault's own file system must have; ignored by a vault that keeps
     *                     no files (the database watches its own)
     */
    default Optional<String> unavailability(long minFreeBytes) {
        return Optional.empty();
    }

    @Override
    void close();
}
