package io.caduceus.edge.fhir;

import io.caduceus.adapters.fabric.ConsentLedger.AccessDecision;
import io.caduceus.edge.consent.ConsentChecks;
import io.caduceus.edge.consent.ConsentMode;
import io.caduceus.edge.consent.ConsentUnavailable;
import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consent step of a FHIR read ({@code caduceus.fhir.read.consent}): whether the reading client needs the
 * patient's grant, and whether it holds one in force (the grantee is the client id). A read refused here discloses
 * nothing and names no patient: 403 without a grant, 503 when the ledger cannot say (never served on doubt).
 *
 * <p>Refusals are not access events: the access log (Kafka, then the ledger) records disclosures, and none happened.
 * They are logged here with the reason, without the patient or the caller.
 */
final class ReadConsent {

    private static final Logger LOG = LoggerFactory.getLogger(ReadConsent.class);

    /** Reads rest on scopes alone. */
    static final ReadConsent OFF = new ReadConsent(ConsentMode.OFF, null);

    private final ConsentMode mode;
    private final ConsentChecks checks;

    ReadConsent(ConsentMode mode, ConsentChecks checks) {
        if (mode != ConsentMode.OFF && checks == null) {
            throw new IllegalArgumentException("consent mode " + mode.code() + " needs consent checks");
        }
        this.mode = mode;
        this.checks = checks;
    }

    /**
     * Whether reading any of {@code types} needs a grant: under {@link ConsentMode#USER}, when the caller's scopes
     * allow reading such a type but its {@code system/} scopes alone do not (types it may not read at all are not
     * served, so they need nothing).
     */
    boolean needed(BearerTokenVerifier.Caller caller, Collection<String> types) {
        return switch (mode) {
            case OFF -> false;
            case ENFORCE -> true;
            case USER -> {
                Set<String> system = caller.scopes().stream().filter(s -> s.startsWith("system/"))
                        .collect(Collectors.toSet());
                yield types.stream().anyMatch(type -> SmartScopes.allows(caller.scopes(), type, SmartScopes.Interaction.READ)
                        && !SmartScopes.allows(system, type, SmartScopes.Interaction.READ));
            }
        };
    }

    /** Refuses the read unless the caller holds the patient's grant now (403), or the ledger cannot tell (503). */
    void require(BearerTokenVerifier.Caller caller, String pseudonym, String interaction) throws FhirRejection {
        if (!allows(caller, pseudonym, interaction)) {
            // Not a scope problem, so no WWW-Authenticate challenge: another token would not help.
            throw FhirRejection.refused(403, IssueType.FORBIDDEN,
                    "the patient's consent for this client to read their records is not in force");
        }
    }

    /** Whether the caller holds the patient's grant now; false is logged with its reason. */
    boolean allows(BearerTokenVerifier.Caller caller, String pseudonym, String interaction) throws FhirRejection {
        AccessDecision decision;
        try {
            decision = checks.check(pseudonym, caller.clientId());
        } catch (ConsentUnavailable e) {
            throw FhirRejection.refused(503, IssueType.TRANSIENT,
                    "the patient's consent cannot be checked right now, so nothing is read; please retry");
        }
        if (!decision.allowed()) {
            LOG.info("FHIR {} refused for want of consent ({})", interaction, decision.reason());
        }
        return decision.allowed();
    }

    ConsentMode mode() {
        return mode;
    }
}
