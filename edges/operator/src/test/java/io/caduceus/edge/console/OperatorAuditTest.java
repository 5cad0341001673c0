package io.caduceus.edge.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.keys.DeploymentKeys;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The events must pass the chaincode's AccessEvent validation unchanged (its patterns are copied here). */
class OperatorAuditTest {

    private static final Pattern ACCESS_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern CODE = Pattern.compile("[a-z][a-z0-9_.$-]{0,63}");
    private static final Pattern PURPOSE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");
    private static final Pattern HEX_64 = Pattern.compile("[0-9a-f]{64}");

    private final OperatorAudit audit = new OperatorAudit(
            new DeploymentKeys(new byte[32]).keyFor(DeploymentKeys.Purpose.CALLER_ID), Clock.systemUTC());

    @Test
    void anOperatorActionIsAnAccessEventTheChaincodeAccepts() {
        Instant at = Instant.parse("2026-12-07T15:00:00Z");
        for (String interaction : List.of("quarantine.reprocess", "quarantine.discard", "quarantine.content",
                "message.track", "patient.track")) {
            Map<String, Object> event = audit.event("ops-1", interaction,
                    List.of("quarantine:1b4e28ba-2fa1-11d2-883f-0016d3cca427"), List.of(), at);
            assertThat(event).containsOnlyKeys("accessId", "accessedAt", "interaction", "purpose", "callerIdHash",
                    "basis", "records", "patientPseudonyms");
            assertThat((String) event.get("accessId")).matches(ACCESS_ID);
            assertThat((String) event.get("interaction")).matches(CODE);
            assertThat((String) event.get("basis")).matches(CODE);
            assertThat((String) event.get("purpose")).matches(PURPOSE);
            assertThat(event.get("accessedAt")).isEqualTo("2026-12-07T15:00:00Z");
            assertThat((String) event.get("callerIdHash")).matches(HEX_64).isNotEqualTo("ops-1");
            Map<?, ?> record = (Map<?, ?>) ((List<?>) event.get("records")).get(0);
            assertThat((String) record.get("recordId")).matches(OperatorAudit.SUBJECT);
            assertThat((String) record.get("integrity")).matches(CODE);
        }
        assertThat(audit.event("ops-1", "x", List.of(), List.of(), at()).get("callerIdHash"))
                .as("the same caller always hashes the same, so the log can be searched by caller")
                .isEqualTo(audit.event("ops-1", "y", List.of(), List.of(), at()).get("callerIdHash"));
    }

    private static Instant at() {
        return Instant.now();
    }
}
