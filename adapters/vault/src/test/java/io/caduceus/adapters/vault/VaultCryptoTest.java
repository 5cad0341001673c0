package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.RecordIntegrityException;
import io.caduceus.ingest.vault.VaultException;
import io.caduceus.ingest.vault.VaultRecord;
import static io.caduceus.adapters.vault.TestRecords.FAKE_NAME;
import static io.caduceus.adapters.vault.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;

class VaultCryptoTest {

    private final SecretKey key = VaultCrypto.newDataKey();

    @Test
    void sealOpenRoundTripWithFreshNonces() {
        VaultRecord r = record("rec-1", "pat-A");
        byte[] one = VaultCrypto.sealRecord(key, r);
        byte[] two = VaultCrypto.sealRecord(key, r);
        assertThat(one).isNotEqualTo(two);
        assertThat(java.util.Arrays.copyOf(one, VaultCrypto.NONCE_LENGTH)).isNotEqualTo(java.util.Arrays.copyOf(two, VaultCrypto.NONCE_LENGTH));
        assertThat(VaultCrypto.openRecord(key, "rec-1", "pat-A", one)).isEqualTo(r);
    }

    @Test
    void ciphertextIsBoundToItsRecordIdAndPatient() {
        byte[] sealed = VaultCrypto.sealRecord(key, record("rec-1", "pat-A"));
        assertThatThrownBy(() -> VaultCrypto.openRecord(key, "rec-2", "pat-A", sealed))
                .isInstanceOf(RecordIntegrityException.class).hasMessageContaining("rec-2");
        assertThatThrownBy(() -> VaultCrypto.openRecord(key, "rec-1", "pat-B", sealed))
                .isInstanceOf(RecordIntegrityException.class);
        assertThatThrownBy(() -> VaultCrypto.openRecord(VaultCrypto.newDataKey(), "rec-1", "pat-A", sealed))
                .isInstanceOf(RecordIntegrityException.class);
    }

    @Test
    void everyFlippedByteIsDetected() {
        byte[] sealed = VaultCrypto.sealRecord(key, record("rec-1", "pat-A"));
        for (int i = 0; i < sealed.length; i += 7) {
            byte[] tampered = sealed.clone();
            tampered[i] ^= 0x40;
            assertThatThrownBy(() -> VaultCrypto.openRecord(key, "rec-1", "pat-A", tampered))
                    .isInstanceOf(RecordIntegrityException.class)
                    .hasMessageNotContaining(FAKE_NAME);
        }
    }

    @Test
    void wrappedDataKeyIsBoundToItsOwnerAndGeneration() {
        Keyring ring = new Keyring(List.of(TestRecords.masterKey()));
        byte[] wrapped = ring.wrap("pat-A", 0, key);
        assertThat(ring.unwrap("pat-A", 0, ring.primaryKeyId(), wrapped).getEncoded()).isEqualTo(key.getEncoded());
        assertThatThrownBy(() -> ring.unwrap("pat-B", 0, ring.primaryKeyId(), wrapped)).isInstanceOf(RecordIntegrityException.class);
        assertThatThrownBy(() -> ring.unwrap("pat-A", 0, "mk-unknown", wrapped)).isInstanceOf(VaultException.class);
        // A generation's wrapped key cannot stand in for another generation's.
        assertThatThrownBy(() -> ring.unwrap("pat-A", 1, ring.primaryKeyId(), wrapped)).isInstanceOf(RecordIntegrityException.class);
        byte[] second = ring.wrap("pat-A", 1, key);
        assertThat(ring.unwrap("pat-A", 1, ring.primaryKeyId(), second).getEncoded()).isEqualTo(key.getEncoded());
        assertThatThrownBy(() -> ring.unwrap("pat-A", 0, ring.primaryKeyId(), second)).isInstanceOf(RecordIntegrityException.class);
    }

    @Test
    void lookupKeysAreSealedAndBoundToTheirRecord() {
        byte[] sealed = VaultCrypto.sealLookupKeys(key, "rec-1", "pat-A", List.of("k-one", "k-two"));
        assertThat(TestRecords.containsBytes(sealed, "k-one".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isFalse();
        assertThat(VaultCrypto.openLookupKeys(key, "rec-1", "pat-A", sealed)).containsExactly("k-one", "k-two");
        assertThatThrownBy(() -> VaultCrypto.openLookupKeys(key, "rec-2", "pat-A", sealed)).isInstanceOf(RecordIntegrityException.class);
        assertThat(VaultCrypto.sealLookupKeys(key, "rec-1", "pat-A", List.of())).isEmpty();
    }
}
