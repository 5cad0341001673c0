package io.caduceus.core.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.core.hash.Hex;
import io.caduceus.core.pseudonym.PatientPseudonymizer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class DeploymentKeysTest {

    static byte[] secret(int fill) {
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) fill);
        return secret;
    }

    @Test
    void aPurposeKeyIsTheHmacOfItsLabelUnderTheSecret() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret(1), "HmacSHA256"));
        byte[] derived = mac.doFinal("caduceus.record-id.v2".getBytes(StandardCharsets.US_ASCII));
        mac.init(new SecretKeySpec(derived, "HmacSHA256"));
        byte[] expected = mac.doFinal(new byte[] {0, 0, 0, 3, 'a', 'b', 'c'});

        assertThat(new DeploymentKeys(secret(1)).keyFor(DeploymentKeys.Purpose.RECORD_ID).hex("abc"))
                .isEqualTo(Hex.encode(expected));
    }

    @Test
    void isDeterministicAndDependsOnSecretAndPurpose() {
        DeploymentKeys keys = new DeploymentKeys(secret(1));
        String once = keys.keyFor(DeploymentKeys.Purpose.CALLER_ID).hex("client");
        assertThat(new DeploymentKeys(secret(1)).keyFor(DeploymentKeys.Purpose.CALLER_ID).hex("client")).isEqualTo(once);
        assertThat(new DeploymentKeys(secret(2)).keyFor(DeploymentKeys.Purpose.CALLER_ID).hex("client")).isNotEqualTo(once);
        Set<String> perPurpose = new HashSet<>();
        for (DeploymentKeys.Purpose purpose : DeploymentKeys.Purpose.values()) {
            perPurpose.add(keys.keyFor(purpose).hex("client"));
        }
        assertThat(perPurpose).hasSize(DeploymentKeys.Purpose.values().length);
    }

    @Test
    void partsAreLengthPrefixedSoTheirBoundariesCount() {
        KeyedHash key = new DeploymentKeys(secret(1)).keyFor(DeploymentKeys.Purpose.RECORD_ID);
        assertThat(key.hex("ab", "c")).isNotEqualTo(key.hex("a", "bc")).isNotEqualTo(key.hex("abc"));
        assertThat(key.hex("a\0", "b")).isNotEqualTo(key.hex("a", "\0b"));
    }

    @Test
    void noDerivedMacEqualsAPseudonymOfTheSameSecret() {
        // Domain separation: the pseudonymizer keys its HMAC with the secret itself, the purposes with derived keys.
        String pseudonym = new PatientPseudonymizer(secret(1)).pseudonymize("urn:id:GENERAL", "MRN-1").value();
        for (DeploymentKeys.Purpose purpose : DeploymentKeys.Purpose.values()) {
            assertThat(pseudonym).doesNotContain(new DeploymentKeys(secret(1)).keyFor(purpose).hex("urn:id:GENERAL", "MRN-1"));
        }
    }

    @Test
    void refusesShortSecretsAndNeverPrintsKeys() {
        assertThatThrownBy(() -> new DeploymentKeys(new byte[31])).isInstanceOf(IllegalArgumentException.class);
        DeploymentKeys keys = new DeploymentKeys(secret(0x41));
        assertThat(keys.toString()).doesNotContain("AAAA");
        assertThat(keys.keyFor(DeploymentKeys.Purpose.RESOURCE_ID).toString()).contains("redacted");
    }
}
