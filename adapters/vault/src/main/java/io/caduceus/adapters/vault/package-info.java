/**
 * The off-chain encrypted record vault: full HL7/FHIR records stay here, only commitments go to ledgers.
 *
 * <p>Entry points: {@link io.caduceus.adapters.vault.RecordVault}, implemented by
 * {@link io.caduceus.adapters.vault.FileRecordVault} (embedded, default) and
 * {@link io.caduceus.adapters.vault.PostgresRecordVault}; keys come from {@link io.caduceus.adapters.vault.MasterKey}.
 *
 * <p>Crypto-erasure destroys a patient's wrapped data key; the ciphertexts stay. What it cannot reach: copies of the
 * wrapped key in freed file-system blocks, database dead tuples, WAL, replicas and backups, and keys already cached in
 * other processes' memory. All of those are still wrapped by the master key, so rotating the master key after
 * erasures (open with the new key first and the old one after, then destroy the old one) is the complete remedy.
 */
package io.caduceus.adapters.vault;
