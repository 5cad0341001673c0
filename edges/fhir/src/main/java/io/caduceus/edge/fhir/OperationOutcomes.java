package io.caduceus.edge.fhir;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.StringType;

/** OperationOutcomes for answers, and the redaction that keeps request content out of them. */
final class OperationOutcomes {

    /** Where HAPI validator messages put the offending value: in single or double quotes (or after "value"). */
    private static final Pattern QUOTED = Pattern.compile("'[^']*'|\"[^\"]*\"|\u201C[^\u201D]*\u201D");
    private static final Pattern CANONICAL = Pattern.compile("https?://[^\\s'\"|#]+(\\|[^\\s'\"#]+)?");
    private static final int MAX_DIAGNOSTICS = 500;

    private OperationOutcomes() {
    }

    static OperationOutcome of(List<FhirRejection.Issue> issues) {
        OperationOutcome outcome = new OperationOutcome();
        for (FhirRejection.Issue issue : issues) {
            OperationOutcome.OperationOutcomeIssueComponent c = outcome.addIssue()
                    .setSeverity(issue.severity()).setCode(issue.type()).setDiagnostics(issue.diagnostics());
            if (issue.expression() != null && !issue.expression().isBlank()) {
                c.addExpression(issue.expression());
                // R4 still defines location (XPath-like; deprecated): many clients read only this one.
                c.getLocation().add(new StringType(issue.expression()));
            }
            if (issue.messageId() != null) {
                c.getDetails().addCoding().setSystem("https://hapifhir.io/validation-message-id").setCode(issue.messageId());
            }
        }
        return outcome;
    }

    static OperationOutcome information(String diagnostics) {
        return of(List.of(new FhirRejection.Issue(IssueSeverity.INFORMATION, IssueType.INFORMATIONAL, diagnostics, null, null)));
    }

    /**
     * A validator message without the values it quotes: HAPI writes {@code The value provided ('robot') ...}, and a
     * quoted value may be a name or an identifier. Canonical URLs (value sets, profiles) stay, they are not data.
     */
    static String redact(String message) {
        if (message == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(message.length());
        Matcher m = QUOTED.matcher(message);
        int last = 0;
        while (m.find()) {
            out.append(message, last, m.start());
            String inner = m.group().substring(1, m.group().length() - 1);
            char quote = m.group().charAt(0);
            out.append(quote).append(CANONICAL.matcher(inner).matches() ? inner : "…").append(m.group().charAt(m.group().length() - 1));
            last = m.end();
        }
        out.append(message, last, message.length());
        String redacted = out.toString().replaceAll("\\s+", " ").strip();
        return redacted.length() > MAX_DIAGNOSTICS ? redacted.substring(0, MAX_DIAGNOSTICS) + "…" : redacted;
    }
}
