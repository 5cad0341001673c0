package io.caduceus.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.core.hash.Sha256;
import io.caduceus.core.json.JsonException;
import io.caduceus.core.pseudonym.PatientPseudonym;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LedgerEntryTest {

    private static final SourceSystem LAB = new SourceSystem("LIS", "GENERAL_HOSPITAL");
    private static final PatientPseudonym PATIENT = new PatientPseudonym("pp1_" + "ab".repeat(32));
    private static final RecordIds IDS = new RecordIds(new io.caduceus.core.keys.DeploymentKeys(new byte[32]));

    static LedgerEntry entry() {
        return new LedgerEntry(IDS.forMessage(new MessageId(LAB, "MSG00001")), Sha256.digest("x".getBytes(StandardCharsets.UTF_8)),
                "ORU^R01", LAB, Instant.parse("2026-11-25T10:15:30.123456Z"), Optional.of(PATIENT));
    }

    @Test
    void serializesCanonicallyAndReadsBack() {
        LedgerEntry entry = entry();
        String json = entry.toJson();
        assertThat(json).startsWith("{\"commitment\":\"").contains("\"receivedAt\":\"2026-11-25T10:15:30.123Z\"")
                .contains("\"source\":\"LIS^GENERAL_HOSPITAL\"");
        assertThat(LedgerEntry.fromJson(json)).isEqualTo(entry);
        assertThat(LedgerEntry.fromJson(json).toJson()).isEqualTo(json);
    }

    @Test
    void aRetransmissionMapsToTheSameRecordIdAndAnotherSenderDoesNot() {
        RecordId first = IDS.forMessage(new MessageId(LAB, "MSG00001"));
        assertThat(IDS.forMessage(new MessageId(new SourceSystem(" LIS ", "GENERAL_HOSPITAL"), "MSG00001 "))).isEqualTo(first);
        assertThat(IDS.forMessage(new MessageId(new SourceSystem("LIS", "OTHER"), "MSG00001"))).isNotEqualTo(first);
        assertThat(first.value()).matches("r2_[0-9a-f]{32}").doesNotContain("MSG");
    }

    @Test
    void entryWithoutPatientOmitsThePseudonym() {
        LedgerEntry entry = new LedgerEntry(entry().recordId(), entry().commitment(), "MFN^M02", LAB, Instant.EPOCH, Optional.empty());
        assertThat(entry.toJson()).doesNotContain("patientPseudonym");
        assertThat(LedgerEntry.fromJson(entry.toJson())).isEqualTo(entry);
    }

    @Test
    void rejectsMalformedEntriesWithoutEchoingThem() {
        assertThatThrownBy(() -> LedgerEntry.fromJson("{\"recordId\":\"r_00\"}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LedgerEntry.fromJson(entry().toJson().replace("ORU^R01", "ORU R01 Jane Doe")))
                .isInstanceOf(IllegalArgumentException.class).message().doesNotContain("Jane");
        assertThatThrownBy(() -> LedgerEntry.fromJson("[1]")).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> new SourceSystem("A^B", "C")).isInstanceOf(IllegalArgumentException.class);
    }
}
