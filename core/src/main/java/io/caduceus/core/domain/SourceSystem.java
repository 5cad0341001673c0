package io.caduceus.core.domain;

import java.util.Objects;

/**
 * The system a record came from: HL7 v2 MSH-3 sending application and MSH-4 sending facility (namespace ids), or the
 * authenticated client of a FHIR request. Written {@code APPLICATION^FACILITY} on the ledger.
 */
public record SourceSystem(String application, String facility) {

    private static final int MAX_LENGTH = 180;

    public SourceSystem {
        application = clean(application, "application");
        facility = clean(facility, "facility");
    }

    public static SourceSystem parse(String text) {
        int caret = text.indexOf('^');
        return caret < 0 ? new SourceSystem(text, "") : new SourceSystem(text.substring(0, caret), text.substring(caret + 1));
    }

    private static String clean(String part, String name) {
        String s = Objects.requireNonNullElse(part, "").strip();
        if (s.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(name + " is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '^' || Character.isISOControl(c)) {
                throw new IllegalArgumentException(name + " contains a separator or control character");
            }
        }
        return s;
    }

    @Override
    public String toString() {
        return application + "^" + facility;
    }
}
