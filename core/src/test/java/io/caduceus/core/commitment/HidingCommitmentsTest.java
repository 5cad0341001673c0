package io.caduceus.core.commitment;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.hash.Digest;
import io.caduceus.core.hash.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HidingCommitmentsTest {

    private static final byte[] RECORD = "{\"resourceType\":\"Observation\",\"valueBoolean\":true}".getBytes(StandardCharsets.UTF_8);

    @Test
    void isAFixedFunctionOfSaltAndContent() {
        // Pinned so that a change to the scheme (label, order, algorithm) cannot slip through: every verifier in every
        // language must compute exactly this.
        Salt salt = Salt.fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        Digest commitment = HidingCommitments.commit(salt, RECORD);
        assertThat(commitment).isEqualTo(HidingCommitments.commitToDigest(salt, Sha256.digest(RECORD)));
        assertThat(commitment.hex()).isEqualTo(HidingCommitmentsTest.expectedPinned(salt));
    }

    /** HMAC-SHA256 computed independently with the JDK, the same way docs/proof-format.md describes it. */
    static String expectedPinned(Salt salt) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(salt.toBytes(), "HmacSHA256"));
            mac.update("caduceus.commitment.v1".getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) 0);
            return io.caduceus.core.hash.Hex.encode(mac.doFinal(Sha256.digest(RECORD).toBytes()));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theSameLowEntropyContentGivesUnlinkableCommitmentsUnderDifferentSalts() {
        Set<Digest> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            seen.add(HidingCommitments.commit(Salt.random(), RECORD));
        }
        assertThat(seen).hasSize(1000);
        assertThat(seen).doesNotContain(Sha256.digest(RECORD));
    }

    @Test
    void opensOnlyWithTheRightSaltAndContent() {
        Salt salt = Salt.random();
        Digest commitment = HidingCommitments.commit(salt, RECORD);
        assertThat(HidingCommitments.opens(commitment, salt, RECORD)).isTrue();
        assertThat(HidingCommitments.opens(commitment, Salt.random(), RECORD)).isFalse();
        byte[] altered = RECORD.clone();
        altered[altered.length - 3] = 'X';
        assertThat(HidingCommitments.opens(commitment, salt, altered)).isFalse();
    }

    @Test
    void saltNeverPrintsItsValue() {
        Salt salt = Salt.random();
        assertThat(salt.toString()).doesNotContain(salt.hex()).isEqualTo("Salt[redacted]");
    }
}
