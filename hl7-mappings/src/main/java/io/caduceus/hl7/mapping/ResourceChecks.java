package io.caduceus.hl7.mapping;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.FhirContext;
import io.caduceus.hl7.v2.Hl7Segment;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Resource;

/**
 * An element FHIR requires (Observation.code, Immunization.vaccineCode, ChargeItem.code, ...) that the message left
 * empty, checked on each resource once its rules have run: the message fails with HL7 101 naming the v2 field the
 * mapping reads it from, in either mode, since the resource would not be valid FHIR and there is nothing to leave out.
 */
final class ResourceChecks {
    private static final FhirContext FHIR = FhirContext.forR4Cached();
    /** The required top-level elements of each resource type, looked up once. */
    private static final Map<Class<?>, List<BaseRuntimeChildDefinition>> REQUIRED = new ConcurrentHashMap<>();

    private ResourceChecks() {
    }

    static void check(Resource resource, Hl7Segment segment, MappingRun run, List<Rule> rules, List<Rule> extraRules)
            throws MappingException {
        for (BaseRuntimeChildDefinition child : REQUIRED.computeIfAbsent(resource.getClass(), ResourceChecks::required)) {
            if (!allEmpty(child.getAccessor().getValues(resource))) {
                continue;
            }
            String element = child.getElementName();
            V2Path source = sourceOf(element, extraRules);
            source = source != null ? source : sourceOf(element, rules);
            String segmentId = source != null && source.segmentId != null ? source.segmentId : segment.id();
            Hl7Segment at = run.nearestSegment(segment, segmentId);
            int field = source != null && source.segmentId != null ? source.positions[0] : 0;
            throw new MappingException(segmentId, at == null ? 1 : run.repetitionOf(at), field, 0,
                    "FHIR requires " + resource.fhirType() + "." + element + ", which the message leaves empty",
                    MappingIssue.REQUIRED_FIELD_MISSING);
        }
        if (resource instanceof Appointment appointment) {
            appointmentTimes(appointment, segment, run);
        }
    }

    /**
     * FHIR's app-3: an appointment that is not proposed, cancelled or waitlisted has a start and an end. v2.5 and later
     * deprecate SCH-11, so a scheduling message often gives a start (AIS-4) and a duration (SCH-9, AIS-7) and no end:
     * the end is the start plus the duration, in the start's offset and precision. Without a start there is no time to
     * book, which is the sender's required field missing, not an optional value to leave out.
     */
    private static void appointmentTimes(Appointment appointment, Hl7Segment segment, MappingRun run) throws MappingException {
        if (appointment.hasStart() && !appointment.hasEnd() && appointment.hasMinutesDuration()) {
            InstantType start = appointment.getStartElement();
            long end = start.getValue().getTime() + appointment.getMinutesDuration() * 60_000L;
            appointment.setEndElement(new InstantType(new Date(end), start.getPrecision(), start.getTimeZone()));
        }
        Appointment.AppointmentStatus status = appointment.getStatus();
        boolean timeless = status == Appointment.AppointmentStatus.PROPOSED || status == Appointment.AppointmentStatus.CANCELLED
                || status == Appointment.AppointmentStatus.WAITLIST;
        if (!timeless && (!appointment.hasStart() || !appointment.hasEnd())) {
            Hl7Segment at = run.nearestSegment(segment, "SCH");
            throw new MappingException("SCH", at == null ? 1 : run.repetitionOf(at), 11, appointment.hasStart() ? 5 : 4,
                    "FHIR requires the start and end of a " + status.toCode() + " Appointment (SCH-11.4 or AIS-4, and SCH-11.5"
                            + " or a duration in SCH-9 or AIS-7), which the message leaves empty",
                    MappingIssue.REQUIRED_FIELD_MISSING);
        }
    }

    private static List<BaseRuntimeChildDefinition> required(Class<?> type) {
        List<BaseRuntimeChildDefinition> required = new ArrayList<>(4);
        for (BaseRuntimeChildDefinition child : FHIR.getResourceDefinition(type.asSubclass(Resource.class)).getChildren()) {
            if (child.getMin() > 0) {
                required.add(child);
            }
        }
        return List.copyOf(required);
    }

    private static boolean allEmpty(List<IBase> values) {
        for (IBase v : values) {
            if (!v.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static V2Path sourceOf(String element, List<Rule> rules) {
        for (Rule r : rules) {
            if (r.firstStep().equals(element) && r.source() != null) {
                return r.source();
            }
        }
        return null;
    }
}
