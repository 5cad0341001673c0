package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.hl7.v2.Hl7Message;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FHIR's app-3 (a booked appointment has a start and an end) against v2.5's scheduling messages, which deprecate
 * SCH-11 and often give only a start (AIS-4) and a duration.
 */
class AppointmentTimesTest {
    private static final String MSH = "MSH|^~\\&|SCHED|FAC|HUB|FAC|20250415094210-0400||SIU^S12^SIU_S12|S-1|P|2.5.1";
    private static final String PID = "PID|1||MRN-1^^^FAC^MR||Doe^Jane||19700101|F";

    private static MappingResult map(MappingMode mode, String... segments) throws Exception {
        return Fixtures.mapper().map(Hl7Message.parse(String.join("\r", segments).getBytes(StandardCharsets.UTF_8)), mode);
    }

    private static Appointment appointment(MappingResult result) {
        assertThat(FhirValidation.errors(new String(result.canonicalJson(), StandardCharsets.UTF_8))).isEmpty();
        return result.bundle().getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(Appointment.class::isInstance).map(Appointment.class::cast).findFirst().orElseThrow();
    }

    @Test
    void aStartAndAServiceDurationWithoutSch11MakeTheEnd() throws Exception {
        Appointment a = appointment(map(MappingMode.LENIENT, MSH,
                "SCH|APPT-1^SCHED|F-1^SCHED||||FOLLOWUP^Follow-up^L" + "|".repeat(19) + "Booked", PID,
                "RGS|1|A", "AIS|1|A|99214^Office visit^CPT4|20250502103000-0400|0|min|45|min|Booked"));
        assertThat(a.getStartElement().getValueAsString()).isEqualTo("2025-05-02T10:30:00-04:00");
        assertThat(a.getEndElement().getValueAsString()).isEqualTo("2025-05-02T11:15:00-04:00");
        assertThat(a.getMinutesDuration()).isEqualTo(45);
    }

    @Test
    void anEndTheSenderGaveIsKept() throws Exception {
        Appointment a = appointment(map(MappingMode.LENIENT, MSH,
                "SCH|APPT-1^SCHED|F-1^SCHED||||FOLLOWUP^Follow-up^L|||30|min|^^30^20250502103000-0400^20250502110500-0400"
                        + "||||||||||||||Booked", PID));
        assertThat(a.getEndElement().getValueAsString()).isEqualTo("2025-05-02T11:05:00-04:00");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(MappingMode.class)
    void aBookedAppointmentWithoutAStartFailsTheMessageNamingTheField(MappingMode mode) {
        assertThatThrownBy(() -> map(mode, MSH, "SCH|APPT-1^SCHED|F-1^SCHED||||FOLLOWUP^Follow-up^L|||30|min"
                + "|".repeat(15) + "Booked", PID))
                .isInstanceOfSatisfying(MappingException.class, e -> {
                    assertThat(e.segmentId()).isEqualTo("SCH");
                    assertThat(e.fieldPosition()).isEqualTo(11);
                    assertThat(e.hl7ErrorCode()).isEqualTo(101);
                });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Waitlist", "Cancelled"})
    void anAppointmentNotYetOrNoLongerBookedNeedsNoTime(String fillerStatus) throws Exception {
        Appointment a = appointment(map(MappingMode.LENIENT, MSH,
                "SCH|APPT-1^SCHED|F-1^SCHED||||FOLLOWUP^Follow-up^L" + "|".repeat(19) + fillerStatus, PID));
        assertThat(a.hasStart()).isFalse();
    }
}
