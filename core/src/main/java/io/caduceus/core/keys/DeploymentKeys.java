package io.caduceus.core.keys;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The per-purpose keys derived from the deployment secret (the pseudonym secret file):
 * {@code key(purpose) = HMAC-SHA256(secret, "caduceus.<purpose>.v2")}.
 *
 * <p>One secret to provision, back up and protect instead of one per identifier kind; domain separation keeps the
 * derived keys independent of each other and of the patient pseudonyms, whose HMAC inputs all begin with
 * {@code "caduceus.patient.v1\0"} and so can never equal a derivation label. A derived key never leaves this process:
 * only MACs computed with it do.
 */
public final class DeploymentKeys {

    /** What a derived key is for; its label is part of the derivation, so changing one changes every id of its kind. */
    public enum Purpose {
        /** Vault lookup keys of FHIR resources ({@code rk2_}). */
        RESOURCE_KEY("caduceus.resource-key.v2"),
        /** Logical ids of the resources mapped from HL7 v2 (the Patient id among them). */
        RESOURCE_ID("caduceus.resource-id.v2"),
        /** Record ids ({@code r2_}). */
        RECORD_ID("caduceus.record-id.v2"),
        /** The caller hash of access events. */
        CALLER_ID("caduceus.caller-id.v2");

        private final String label;

        Purpose(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private static final int MIN_SECRET_BYTES = 32;

    private final Map<Purpose, KeyedHash> keys = new EnumMap<>(Purpose.class);

    public DeploymentKeys(byte[] deploymentSecret) {
        Objects.requireNonNull(deploymentSecret, "deploymentSecret");
        if (deploymentSecret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the deployment secret must be at least " + MIN_SECRET_BYTES + " bytes");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(deploymentSecret, "HmacSHA256"));
            for (Purpose purpose : Purpose.values()) {
                byte[] derived = mac.doFinal(purpose.label().getBytes(StandardCharsets.US_ASCII));
                keys.put(purpose, new KeyedHash(derived));
                java.util.Arrays.fill(derived, (byte) 0);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform must provide HmacSHA256", e);
        }
    }

    public KeyedHash keyFor(Purpose purpose) {
        return keys.get(Objects.requireNonNull(purpose, "purpose"));
    }

    @Override
    public String toString() {
        return "DeploymentKeys[secret redacted]";
    }
}
