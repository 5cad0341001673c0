package io.caduceus.core.pseudonym;

import io.caduceus.core.domain.Formats;
import java.util.Objects;

/**
 * The only handle on a patient that may leave the off-chain store: stable per patient and deployment, but not
 * reversible without the deployment secret. Format: {@code pp1_} followed by 64 lowercase hex digits.
 */
public record PatientPseudonym(String value) {

    private static final String PREFIX = "pp1_";
    private static final int HEX_DIGITS = 64;

    public PatientPseudonym {
        Objects.requireNonNull(value, "value");
        if (!Formats.isPrefixedLowerHex(value, PREFIX, HEX_DIGITS)) {
            throw new IllegalArgumentException("not a patient pseudonym (expected pp1_ and 64 hex digits)");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
