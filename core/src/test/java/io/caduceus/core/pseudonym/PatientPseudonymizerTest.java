package io.caduceus.core.pseudonym;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PatientPseudonymizerTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final PatientPseudonymizer pseudonymizer = new PatientPseudonymizer(SECRET);

    @Test
    void isStableAcrossCosmeticDifferences() {
        assertThat(pseudonymizer.pseudonymize("urn:oid:1.2.3", " 123456 "))
                .isEqualTo(pseudonymizer.pseudonymize("urn:oid:1.2.3", "123456"));
        assertThat(pseudonymizer.pseudonymize("HOSP", "Ma\u0301rquez")).isEqualTo(pseudonymizer.pseudonymize("HOSP", "M\u00e1rquez"));
    }

    @Test
    void separatesAuthoritiesAndDeployments() {
        PatientPseudonym a = pseudonymizer.pseudonymize("HOSP-A", "123456");
        assertThat(a).isNotEqualTo(pseudonymizer.pseudonymize("HOSP-B", "123456"));
        byte[] otherSecret = Arrays.copyOf(SECRET, SECRET.length);
        otherSecret[0] ^= 1;
        assertThat(a).isNotEqualTo(new PatientPseudonymizer(otherSecret).pseudonymize("HOSP-A", "123456"));
        // The separator keeps "AB"+"C" and "A"+"BC" apart.
        assertThat(pseudonymizer.pseudonymize("AB", "C")).isNotEqualTo(pseudonymizer.pseudonymize("A", "BC"));
    }

    @Test
    void revealsNothingOfTheIdentifier() {
        PatientPseudonym p = pseudonymizer.pseudonymize("HOSP", "987654321");
        assertThat(p.value()).matches("pp1_[0-9a-f]{64}").doesNotContain("987654321");
        assertThat(pseudonymizer.toString()).doesNotContain("0123456789abcdef");
    }

    @Test
    void refusesWeakSecretsAndBlankIdentifiers() {
        assertThatThrownBy(() -> new PatientPseudonymizer(new byte[16])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pseudonymizer.pseudonymize("HOSP", "  ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PatientPseudonym("Jane Doe")).isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain("Jane");
    }
}
