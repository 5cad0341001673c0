package io.caduceus.hl7.mapping;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import io.caduceus.hl7.v2.Hl7Segment;
import java.math.BigDecimal;
import java.util.List;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Range;
import org.hl7.fhir.r4.model.Resource;

/**
 * What the rules cannot see one value at a time, checked on each resource once its rules have run:
 * <ul>
 *   <li>an element FHIR requires (Observation.code, Immunization.vaccineCode, ...) that the message left empty: the
 *   message fails with HL7 101, naming the v2 field the mapping reads it from, in either mode, since the resource
 *   would not be valid FHIR and there is nothing to leave out;</li>
 *   <li>two values each fine alone but contradictory together: a period that ends before it starts (per-1) or a range
 *   whose low is above its high (rng-2). The later value (end, high) is left out and reported in lenient mode; in strict
 *   mode the message fails.</li>
 *   <li>an extension left with nothing but its url once a value of it was left out is removed (ext-1).</li>
 * </ul>
 */
final class ResourceChecks {
    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private ResourceChecks() {
    }

    static void check(Resource resource, Hl7Segment segment, MappingRun run, List<Rule> rules, List<Rule> extraRules)
            throws MappingException {
        requireElements(resource, segment, run, rules, extraRules);
        invariants(resource, resource.fhirType(), segment, run);
    }

    private static void requireElements(Resource resource, Hl7Segment segment, MappingRun run, List<Rule> rules,
            List<Rule> extraRules) throws MappingException {
        RuntimeResourceDefinition def = FHIR.getResourceDefinition(resource);
        for (BaseRuntimeChildDefinition child : def.getChildren()) {
            if (child.getMin() < 1 || !child.getAccessor().getValues(resource).stream().allMatch(v -> v.isEmpty())) {
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
    }

    private static V2Path sourceOf(String element, List<Rule> rules) {
        for (Rule r : rules) {
            if (r.firstStep().equals(element) && r.source() != null) {
                return r.source();
            }
        }
        return null;
    }

    private static void invariants(Base element, String path, Hl7Segment segment, MappingRun run) throws MappingException {
        for (Property property : element.children()) {
            if (!property.hasValues()) {
                continue;
            }
            for (Base value : property.getValues()) {
                String name = property.getName();
                // FHIRPath names a choice by its type: dose[x] holding a Range is doseRange.
                String at = path + "." + (name.endsWith("[x]") ? name.substring(0, name.length() - 3)
                        + Character.toUpperCase(value.fhirType().charAt(0)) + value.fhirType().substring(1) : name);
                if (value instanceof Period period && endsBeforeStart(period)) {
                    leaveOut(segment, run, at + ".end", "period ends before it starts");
                    period.setEndElement(null);
                } else if (value instanceof Range range && lowAboveHigh(range)) {
                    leaveOut(segment, run, at + ".high", "range low above its high");
                    range.setHigh(null);
                } else if (!value.isPrimitive()) {
                    invariants(value, at, segment, run);
                }
            }
            // An extension whose value was left out (a bad date in PD1-13) would be a url alone, which FHIR refuses
            // (ext-1): it goes too, and so does a complex extension left with no part.
            if ("extension".equals(property.getName()) || "modifierExtension".equals(property.getName())) {
                for (Base value : List.copyOf(property.getValues())) {
                    if (value instanceof Extension ext && !ext.hasValue() && !ext.hasExtension()) {
                        element.removeChild(property.getName(), value);
                    }
                }
            }
        }
    }

    private static boolean endsBeforeStart(Period p) {
        return p.hasStart() && p.hasEnd() && p.getStart().after(p.getEnd());
    }

    private static boolean lowAboveHigh(Range r) {
        Quantity low = r.getLow();
        Quantity high = r.getHigh();
        if (!r.hasLow() || !r.hasHigh() || !low.hasValue() || !high.hasValue()) {
            return false;
        }
        BigDecimal l = low.getValue();
        return l.compareTo(high.getValue()) > 0;
    }

    private static void leaveOut(Hl7Segment segment, MappingRun run, String element, String reason) throws MappingException {
        if (!run.lenient) {
            throw new MappingException(segment.id(), run.repetitionOf(segment), 0, 0, reason);
        }
        run.dropped(null, segment, MappingIssue.DATA_TYPE_ERROR, reason, element);
    }
}
