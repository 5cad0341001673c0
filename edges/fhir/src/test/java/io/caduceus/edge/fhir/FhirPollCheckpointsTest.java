package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FhirPollCheckpointsTest {

    private static final String BASE = "https://legacy.example/fhir";

    @TempDir
    Path tmp;

    private static FhirSearchPage.Match match(String id, String version, String lastUpdated) {
        return new FhirSearchPage.Match("Patient", id, version, lastUpdated, FhirSearchPage.instant(lastUpdated), "{}");
    }

    @Test
    void aCheckpointRemembersTheVersionsSeenAtItsInstantOnly() {
        FhirPollCheckpoints.Checkpoint start = FhirPollCheckpoints.Checkpoint.startingAt(null);
        FhirPollCheckpoints.Checkpoint after = start.after(List.of(match("a", "1", "2026-01-01T00:00:00Z"),
                match("b", "3", "2026-01-01T00:00:01.5+01:00"), match("c", "1", "2026-01-01T00:00:02Z"),
                match("d", null, "2026-01-01T00:00:02.000Z"), match("e", "1", null)));
        assertThat(after.since()).as("as the server wrote it").isEqualTo("2026-01-01T00:00:02Z");
        assertThat(after.seenAtSince()).containsExactlyInAnyOrder("Patient/c/_history/1", "Patient/d");
        assertThat(after.covers(match("c", "1", "2026-01-01T00:00:02.000+00:00"))).as("the same instant, written otherwise").isTrue();
        assertThat(after.covers(match("c", "2", "2026-01-01T00:00:02Z"))).as("another version").isFalse();
        assertThat(after.covers(match("f", "1", "2026-01-01T00:00:02Z"))).as("not seen yet").isFalse();

        FhirPollCheckpoints.Checkpoint same = after.after(List.of(match("f", "1", "2026-01-01T00:00:02Z")));
        assertThat(same.since()).isEqualTo("2026-01-01T00:00:02Z");
        assertThat(same.seenAtSince()).hasSize(3);
        assertThat(after.after(List.of())).isEqualTo(after);
    }

    @Test
    void savedCheckpointsAreThereAfterAReopen() {
        Path file = tmp.resolve("poll/checkpoints.json");
        FhirPollCheckpoints checkpoints = FhirPollCheckpoints.open(file, BASE, null);
        assertThat(checkpoints.get("Patient")).isEqualTo(FhirPollCheckpoints.Checkpoint.startingAt(null));
        FhirPollCheckpoints.Checkpoint position = new FhirPollCheckpoints.Checkpoint("2026-03-01T10:00:00.123+02:00",
                Set.of("Patient/x/_history/2", "Patient/y"));
        checkpoints.save("Patient", position);

        FhirPollCheckpoints reopened = FhirPollCheckpoints.open(file, BASE, "2025-01-01T00:00:00Z");
        assertThat(reopened.get("Patient")).isEqualTo(position);
        assertThat(reopened.get("Observation").since()).as("a new type starts at since").isEqualTo("2025-01-01T00:00:00Z");
        assertThat(tmp.resolve("poll/checkpoints.json.tmp")).doesNotExist();
    }

    @Test
    void aFileOfAnotherServerOrMalformedIsRefusedRatherThanGuessedFrom() throws Exception {
        Path file = tmp.resolve("checkpoints.json");
        FhirPollCheckpoints.open(file, BASE, null).save("Patient", FhirPollCheckpoints.Checkpoint.startingAt("2026-01-01T00:00:00Z"));
        assertThatThrownBy(() -> FhirPollCheckpoints.open(file, "https://other.example/fhir", null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("another server");

        for (String content : List.of("", "[]", "{\"baseUrl\":\"" + BASE + "\"}",
                "{\"baseUrl\":\"" + BASE + "\",\"types\":{\"Patient\":{\"since\":\"yesterday\",\"seenAtSince\":[]}}}")) {
            Files.writeString(file, content);
            assertThatThrownBy(() -> FhirPollCheckpoints.open(file, BASE, null)).as(content)
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("malformed");
        }
        assertThatThrownBy(() -> FhirPollCheckpoints.open(tmp.resolve("none.json"), BASE, "last week"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("caduceus.fhir.poll.since");
    }
}
