/**
 * The off-chain encrypted record vault: full HL7/FHIR records stay here, only commitments go to ledgers.
 *
 * <p>Entry points: {@link io.caduceus.ingest.vault.RecordVault}, implemented by
 * {@link io.caduceus.adapters.vault.FileRecordVault} (embedded, default) and
 * {@link io.caduceus.adapters.vault.PostgresRecordVault}; keys come from {@link io.caduceus.adapters.vault.MasterKey}.
 *
 * <p>Crypto-erasure destroys a patient's current wrapped data key generation; the ciphertexts stay, and the patient's
 * later records get the next generation. What it cannot reach: copies of the wrapped key in freed file-system blocks,
 * database dead tuples, WAL, replicas and backups (another PostgreSQL instance's cached copy is refused at its next
 * statement, see {@link io.caduceus.adapters.vault.PostgresRecordVault}). All of those are still wrapped by the master
 * key, so rotating the master key after erasures (open with the new key first and the old one after, then destroy the
 * old one) is the complete remedy.
 */
package io.caduceus.adapters.vault;
