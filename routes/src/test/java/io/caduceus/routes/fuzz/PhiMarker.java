package io.caduceus.routes.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The check every fuzz target of this module applies to a refusal: its message must not repeat the input (core's
 * fuzz tests hold the same check; test classes are not shared between modules). Seeds carry {@link #MARKER} where a
 * patient's name would be, and no code holds that string, so a message quoting input text is caught whenever the
 * mutated input still carries the marker.
 */
public final class PhiMarker {

    public static final String MARKER = "ZQXPHIMARKERQZX";

    private PhiMarker() {
    }

    public static void assertNotEchoed(Throwable refusal) {
        for (Throwable t = refusal; t != null && t.getCause() != t; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).as("message of %s", t.getClass().getName())
                    .doesNotContain(MARKER);
        }
    }
}
