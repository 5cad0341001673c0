package io.caduceus.edge.fhir;

import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * A request Caduceus will not accept as sent: answered with {@link #status()} and an OperationOutcome of
 * {@link #issues()}. Issues are written by Caduceus or are HAPI messages with quoted values removed, so the message of
 * this exception never carries request content and may be logged.
 */
public final class FhirRejection extends Exception {

    private static final long serialVersionUID = 1L;

    /** One OperationOutcome issue. {@code expression} is a FHIRPath location or null. */
    record Issue(IssueSeverity severity, IssueType type, String diagnostics, String expression, String messageId) {

        static Issue error(IssueType type, String diagnostics) {
            return new Issue(IssueSeverity.ERROR, type, diagnostics, null, null);
        }

        static Issue error(IssueType type, String diagnostics, String expression) {
            return new Issue(IssueSeverity.ERROR, type, diagnostics, expression, null);
        }
    }

    private final int status;
    private final transient List<Issue> issues;
    private final boolean quarantine;
    private final String wwwAuthenticate;
    /** The pseudonym of the patient the rejected content is about, when it was parsed far enough to tell. */
    private transient String patientPseudonym;

    private FhirRejection(int status, List<Issue> issues, boolean quarantine, String wwwAuthenticate) {
        super(status + " " + issues.get(0).diagnostics());
        this.status = status;
        this.issues = List.copyOf(issues);
        this.quarantine = quarantine;
        this.wwwAuthenticate = wwwAuthenticate;
    }

    /** The content is at fault (400, 413, 415, 422): answered and kept in quarantine. */
    static FhirRejection content(int status, List<Issue> issues) {
        return new FhirRejection(status, issues, true, null);
    }

    static FhirRejection content(int status, IssueType type, String diagnostics, String expression) {
        return content(status, List.of(Issue.error(type, diagnostics, expression)));
    }

    /**
     * The caller is not authenticated (401). Not quarantined: anyone could otherwise fill the vault.
     *
     * @param error RFC 6750 error code for WWW-Authenticate, or null when no token was presented at all
     */
    static FhirRejection unauthenticated(String error, String diagnostics) {
        String challenge = "Bearer realm=\"caduceus-fhir\"" + (error == null ? ""
                : ", error=\"" + error + "\", error_description=\"" + diagnostics.replace('"', '\'') + "\"");
        return new FhirRejection(401, List.of(Issue.error(IssueType.LOGIN, diagnostics)), false, challenge);
    }

    /** Authenticated but not allowed (403). Not quarantined: the content is not at fault. */
    static FhirRejection forbidden(String diagnostics, String requiredScope) {
        String challenge = "Bearer realm=\"caduceus-fhir\", error=\"insufficient_scope\", scope=\"" + requiredScope + "\"";
        return new FhirRejection(403, List.of(Issue.error(IssueType.FORBIDDEN, diagnostics)), false, challenge);
    }

    /**
     * Refused for a reason other than the content's form (an erased patient, say): answered, not quarantined, since
     * keeping the content would be the very thing refused.
     */
    static FhirRejection refused(int status, IssueType type, String diagnostics) {
        return new FhirRejection(status, List.of(Issue.error(type, diagnostics)), false, null);
    }

    public int status() {
        return status;
    }

    List<Issue> issues() {
        return issues;
    }

    boolean quarantine() {
        return quarantine;
    }

    /** Marks the content as about this patient, so that its quarantined copy is erased with them. */
    FhirRejection about(java.util.Optional<String> pseudonym) {
        patientPseudonym = pseudonym.orElse(null);
        return this;
    }

    java.util.Optional<String> patientPseudonym() {
        return java.util.Optional.ofNullable(patientPseudonym);
    }

    /** The WWW-Authenticate challenge for 401 and 403, or null. */
    String wwwAuthenticate() {
        return wwwAuthenticate;
    }
}
