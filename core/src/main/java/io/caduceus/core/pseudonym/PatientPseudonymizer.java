package io.caduceus.core.pseudonym;

import io.caduceus.core.hash.Hex;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.Normalizer;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Derives {@link PatientPseudonym}s: {@code HMAC-SHA256(deployment secret, "caduceus.patient.v1" 0x00 system 0x00 id)}.
 *
 * <p>Keyed, because patient identifiers (MRNs, national numbers) have so little entropy that an unkeyed hash could be
 * reversed by enumerating them. The identifier system is part of the input so the same number issued by two
 * authorities names two patients. Both parts are trimmed and NFC-normalized so that cosmetic differences between
 * feeds do not split one patient into two pseudonyms.
 */
public final class PatientPseudonymizer {

    private static final byte[] LABEL = "caduceus.patient.v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final int MIN_SECRET_BYTES = 32;

    private final SecretKeySpec key;

    public PatientPseudonymizer(byte[] deploymentSecret) {
        Objects.requireNonNull(deploymentSecret, "deploymentSecret");
        if (deploymentSecret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the deployment secret must be at least " + MIN_SECRET_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(deploymentSecret.clone(), "HmacSHA256");
    }

    /**
     * @param identifierSystem the assigning authority or FHIR identifier system (may be empty when a feed sends none)
     * @param identifierValue  the patient identifier; must not be blank
     */
    public PatientPseudonym pseudonymize(String identifierSystem, String identifierValue) {
        String system = normalize(identifierSystem == null ? "" : identifierSystem);
        String value = normalize(Objects.requireNonNull(identifierValue, "identifierValue"));
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a patient identifier must not be blank");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(LABEL);
            mac.update(system.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return new PatientPseudonym("pp1_" + Hex.encode(mac.doFinal(value.getBytes(StandardCharsets.UTF_8))));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform must provide HmacSHA256", e);
        }
    }

    private static String normalize(String s) {
        return Normalizer.normalize(s.strip(), Normalizer.Form.NFC);
    }

    @Override
    public String toString() {
        return "PatientPseudonymizer[secret redacted]";
    }
}
