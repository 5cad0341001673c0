package io.caduceus.core.pseudonym;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The only handle on a patient that may leave the off-chain store: stable per patient and deployment, but not
 * reversible without the deployment secret. Format: {@code pp1_} followed by 64 lowercase hex digits.
 */
public record PatientPseudonym(String value) {

    private static final Pattern FORMAT = Pattern.compile("pp1_[0-9a-f]{64}");

    public PatientPseudonym {
        Objects.requireNonNull(value, "value");
        if (!FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException("not a patient pseudonym (expected pp1_ and 64 hex digits)");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
