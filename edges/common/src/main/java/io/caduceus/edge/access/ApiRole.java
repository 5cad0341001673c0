package io.caduceus.edge.access;

import java.util.Locale;

/**
 * What a caller of the operator APIs ({@code /api/*}) may do. A role is granted as a token scope (or a client
 * certificate's scopes in {@code caduceus.fhir.mtls.clients}) of the form {@code caduceus.<role>}, so that the
 * deployment's authorization server decides it, not Caduceus. docs/security.md lists what each role may call.
 */
public enum ApiRole {
    /** Runs the middleware: status, quarantine (listing, reprocessing), ledger and anchoring state, proofs without salt. */
    OPERATOR,
    /**
     * Checks the ledger against the public anchor: proofs, including the salt that opens a record's commitment; may
     * check (not change) a consent grant.
     */
    AUDITOR,
    /** Decides erasure requests (GDPR Art. 17) and patients' consent grants to FHIR clients; nothing else. */
    PRIVACY_OFFICER,
    /**
     * Scrapes {@code GET /observe/metrics} and nothing else: the credential a Prometheus server holds, so that it
     * cannot read the quarantine or reprocess messages as an operator could.
     */
    METRICS;

    /** The scope that grants this role, e.g. {@code caduceus.privacy-officer}. */
    public String scope() {
        return "caduceus." + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The role of a name as written in routes ({@code operator}, {@code auditor}, {@code privacy-officer}). */
    static ApiRole named(String name) {
        for (ApiRole role : values()) {
            if (role.scope().equals("caduceus." + name.strip().toLowerCase(Locale.ROOT))) {
                return role;
            }
        }
        throw new IllegalArgumentException("no API role '" + name + "' (operator, auditor, privacy-officer, metrics)");
    }
}
