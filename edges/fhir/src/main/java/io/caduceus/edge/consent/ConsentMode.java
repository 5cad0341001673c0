package io.caduceus.edge.consent;

import java.util.Locale;

/**
 * Whether FHIR reads consult the patient's consent grants on the private ledger ({@code caduceus.fhir.read.consent}).
 * The grantee checked is the reading client's id.
 */
public enum ConsentMode {
    /** Reads rest on the token's scopes alone, as without a ledger. */
    OFF,
    /**
     * A read needs a grant when only {@code user/} scopes allow it: a person acting through an app reads a patient's
     * records only with that patient's consent, while a backend holding {@code system/} scopes acts under its own
     * agreement with the hospital (treatment, billing, the HL7 feeds), which consent does not gate.
     */
    USER,
    /** Every read of a patient's records needs a grant to the reading client, whatever its scopes. */
    ENFORCE;

    /** {@code off}, {@code user} or {@code enforce}, as in application.properties. */
    public static ConsentMode parse(String value) {
        for (ConsentMode mode : values()) {
            if (mode.name().equalsIgnoreCase(value.strip())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("caduceus.fhir.read.consent must be off, user or enforce, not '"
                + value.strip() + "'");
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
