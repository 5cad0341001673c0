package io.caduceus.hl7.mapping;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementCompositeDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Factory;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Reference;

/**
 * Turns {@code elements:} entries of the mapping YAML into {@link Rule}s, checking each target path against the FHIR
 * model at load time, so that a mistake in a mapping file fails the load, naming the file and entry, not a message.
 */
final class RuleCompiler {
    private static final Set<String> KEYS = Set.of("path", "from", "concat", "separator", "join", "constant",
            "default", "datatype", "type", "valueset", "transform", "prefix", "when", "elements", "reference",
            "referenceGroup", "referenceAll", "first", "carries", "comment");
    private static final Factory FACTORY = new Factory();
    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private RuleCompiler() {
    }

    static List<Rule> compileAll(List<Map<String, Object>> yaml, Base prototype, String where, Definitions defs) {
        List<Rule> rules = new ArrayList<>(yaml.size());
        for (int i = 0; i < yaml.size(); i++) {
            rules.add(compile(yaml.get(i), prototype, where + " elements[" + i + "]", defs));
        }
        return rules;
    }

    private static Rule compile(Map<String, Object> yaml, Base prototype, String where, Definitions defs) {
        for (String key : yaml.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalStateException(where + ": unknown key '" + key + "'");
            }
        }
        Rule.Builder b = new Rule.Builder();
        String path = Yamls.required(yaml, "path", where);
        b.where = where + " (" + path + ")";
        b.choiceType = Yamls.string(yaml, "type");
        // As FHIRPath names it: value[x] of type Quantity is valueQuantity.
        b.path = b.choiceType == null ? path : path.replace("[x]",
                Character.toUpperCase(b.choiceType.charAt(0)) + b.choiceType.substring(1));
        b.steps = path.split("\\.");
        b.stepHashes = new int[b.steps.length];

        Base proto = prototype;
        Base leafProto = null;
        for (int i = 0; i < b.steps.length; i++) {
            String step = b.steps[i];
            b.stepHashes[i] = step.hashCode();
            Property property;
            try {
                property = proto.getNamedProperty(step);
            } catch (FHIRException e) {
                property = null;
            }
            if (property == null) {
                throw new IllegalStateException(b.where + ": " + proto.fhirType() + " has no element '" + step + "'");
            }
            boolean last = i == b.steps.length - 1;
            b.pathRequired &= required(proto, step);
            if (step.endsWith("[x]")) {
                if (!last || b.choiceType == null) {
                    throw new IllegalStateException(b.where + ": choice element needs 'type' and must end the path");
                }
                leafProto = FACTORY.create(b.choiceType);
                b.fhirType = b.choiceType;
            } else {
                Base next = proto.makeProperty(b.stepHashes[i], step);
                if (last) {
                    leafProto = next;
                    b.fhirType = property.getTypeCode();
                } else {
                    proto = next;
                }
            }
            if (last) {
                b.listTarget = property.getMaxCardinality() > 1;
            }
        }

        b.from = paths(Yamls.strings(yaml, "from"), where);
        b.concat = paths(Yamls.strings(yaml, "concat"), where);
        b.separator = yaml.containsKey("separator") ? Yamls.string(yaml, "separator") : " ";
        b.join = Yamls.string(yaml, "join");
        b.constant = Yamls.string(yaml, "constant");
        b.defaultValue = Yamls.string(yaml, "default");
        b.prefix = Yamls.string(yaml, "prefix");
        b.firstOnly = Boolean.parseBoolean(Yamls.string(yaml, "first"));
        String transform = Yamls.string(yaml, "transform");
        b.transform = transform == null ? null : Transform.named(transform, where);
        String valueSet = Yamls.string(yaml, "valueset");
        b.valueSet = valueSet == null ? null : defs.valueSet(valueSet);
        b.when = Condition.compile(yaml.get("when"), where);
        b.carries = paths(Yamls.strings(yaml, "carries"), where);
        for (V2Path carried : b.carries) {
            // Only a value the rule has checked is one the element states (SCH-10 in minutes for minutesDuration).
            if (b.when == null || !b.when.restrictsByIn(carried)) {
                throw new IllegalStateException(b.where + ": 'carries: " + carried + "' needs a 'when' holding "
                        + carried + " to the values the element states ('in')");
            }
        }
        b.referenceKey = Yamls.string(yaml, "reference");
        if (b.referenceKey == null && yaml.containsKey("referenceGroup")) {
            b.referenceKey = Yamls.string(yaml, "referenceGroup");
            b.reach = Rule.Reach.GROUP;
        }
        if (b.referenceKey == null && yaml.containsKey("referenceAll")) {
            b.referenceKey = Yamls.string(yaml, "referenceAll");
            b.reach = Rule.Reach.ALL;
        }

        String datatype = Yamls.string(yaml, "datatype");
        List<Map<String, Object>> elements = Yamls.maps(yaml, "elements", where);
        if (b.referenceKey != null) {
            if (!(leafProto instanceof Reference)) {
                throw new IllegalStateException(b.where + ": 'reference' needs a Reference element");
            }
            b.kind = Rule.Kind.REFERENCE;
        } else if (leafProto instanceof PrimitiveType) {
            if (datatype != null || !elements.isEmpty()) {
                throw new IllegalStateException(b.where + ": a primitive element takes no datatype or elements");
            }
            b.kind = Rule.Kind.PRIMITIVE;
        } else if (b.valueSet != null && datatype == null && elements.isEmpty()) {
            if (!(leafProto instanceof Coding) && !(leafProto instanceof CodeableConcept)) {
                throw new IllegalStateException(b.where + ": a value set needs a code, Coding or CodeableConcept");
            }
            b.kind = Rule.Kind.CODED;
        } else {
            if (datatype != null && !elements.isEmpty()) {
                throw new IllegalStateException(b.where + ": use either datatype or elements");
            }
            if (datatype == null && elements.isEmpty()) {
                throw new IllegalStateException(b.where + ": a complex element needs a datatype or elements");
            }
            b.kind = Rule.Kind.COMPLEX;
            b.children = datatype != null
                    ? defs.datatype(datatype, leafProto.fhirType(), b.where)
                    : compileAll(elements, leafProto, b.where, defs);
        }
        return new Rule(b);
    }

    /**
     * Whether {@code step} has a minimum cardinality of 1 in {@code parent}, from HAPI's model annotations (the
     * {@link Property} objects of the model classes say 0 for every element).
     */
    private static boolean required(Base parent, String step) {
        try {
            BaseRuntimeElementDefinition<?> def = parent instanceof IBaseResource resource
                    ? FHIR.getResourceDefinition(resource) : FHIR.getElementDefinition(parent.getClass());
            if (def instanceof BaseRuntimeElementCompositeDefinition<?> composite) {
                BaseRuntimeChildDefinition child = composite.getChildByName(step);
                return child != null && child.getMin() > 0;
            }
        } catch (RuntimeException e) {
            // An element HAPI has no definition for is treated as optional: lenient mode may then drop its value.
        }
        return false;
    }

    private static List<V2Path> paths(List<String> texts, String where) {
        List<V2Path> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            out.add(V2Path.compile(t, where));
        }
        return out;
    }
}
