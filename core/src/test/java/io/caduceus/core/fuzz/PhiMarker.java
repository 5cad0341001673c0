package io.caduceus.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The check every fuzz target applies to a refusal: its message must not repeat the input. Seeds carry
 * {@link #MARKER} where a patient's name would be (no code holds that string), so a message that quotes input text
 * is caught whenever the mutated input still carries the marker; a message holding a whole input line of some length
 * is caught as well.
 */
public final class PhiMarker {

    /** Stands for a patient's name in the fuzz seeds. */
    public static final String MARKER = "ZQXPHIMARKERQZX";

    private static final int LONGEST_ECHO_TOLERATED = 24;

    private PhiMarker() {
    }

    public static void assertNotEchoed(Throwable refusal, String input) {
        for (Throwable t = refusal; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            assertThat(message).as("refusal message of %s", t.getClass().getName()).doesNotContain(MARKER);
            if (input.length() > LONGEST_ECHO_TOLERATED) {
                assertThat(message).as("refusal message of %s", t.getClass().getName()).doesNotContain(input);
            }
            if (t.getCause() == t) {
                break;
            }
        }
    }
}
