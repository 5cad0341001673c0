package io.caduceus.hl7.mapping;

import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Factory;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Range;
import org.hl7.fhir.r4.model.Reference;

/**
 * One compiled {@code elements:} entry: where a value comes from, how it is translated, and which FHIR element
 * it is written to. {@link RuleCompiler} checks target paths against the FHIR model once, at load time; at map time
 * elements are created through HAPI's generated {@code makeProperty}/{@code setProperty} switches, not reflection.
 */
final class Rule {
    private static final Factory FACTORY = new Factory();

    enum Kind { PRIMITIVE, COMPLEX, CODED, REFERENCE }

    /** Which instances of the referenced key a reference rule points at. */
    enum Reach { NEAREST, GROUP, ALL }

    private final String where;
    private final String path;
    /** Every step of the path is required (min cardinality 1) in its parent: see {@link Scope#unusable}. */
    private final boolean pathRequired;
    private final String[] steps;
    private final int[] stepHashes;
    private final String choiceType;
    private final String fhirType;
    private final boolean listTarget;
    private final boolean firstOnly;
    private final Kind kind;
    private final List<V2Path> from;
    private final List<V2Path> concat;
    private final String separator;
    private final String join;
    private final String constant;
    private final String defaultValue;
    private final Transform transform;
    private final String prefix;
    private final ValueSetMap valueSet;
    private final Condition when;
    private final List<Rule> children;
    private final String referenceKey;
    private final Reach reach;
    /** Values the element states by what it is (a unit its name fixes): counted carried when the rule writes. */
    private final List<V2Path> carries;

    /** What {@link RuleCompiler} collects for one rule, checked, before the rule is made. */
    static final class Builder {
        String where;
        String path;
        boolean pathRequired = true;
        String[] steps;
        int[] stepHashes;
        String choiceType;
        String fhirType;
        boolean listTarget;
        /** Only the first value read, even into a list (the same code on every line of a document). */
        boolean firstOnly;
        Kind kind;
        List<V2Path> from = new ArrayList<>();
        List<V2Path> concat = new ArrayList<>();
        String separator;
        String join;
        String constant;
        String defaultValue;
        Transform transform;
        String prefix;
        ValueSetMap valueSet;
        Condition when;
        List<Rule> children = List.of();
        String referenceKey;
        Reach reach = Reach.NEAREST;
        List<V2Path> carries = List.of();
    }

    Rule(Builder b) {
        this.where = b.where;
        this.path = b.path;
        this.pathRequired = b.pathRequired;
        this.steps = b.steps;
        this.stepHashes = b.stepHashes;
        this.choiceType = b.choiceType;
        this.fhirType = b.fhirType;
        this.listTarget = b.listTarget;
        this.firstOnly = b.firstOnly;
        this.kind = b.kind;
        this.from = b.from;
        this.concat = b.concat;
        this.separator = b.separator;
        this.join = b.join;
        this.constant = b.constant;
        this.defaultValue = b.defaultValue;
        this.transform = b.transform;
        this.prefix = b.prefix;
        this.valueSet = b.valueSet;
        this.when = b.when;
        this.children = b.children;
        this.referenceKey = b.referenceKey;
        this.reach = b.reach;
        this.carries = b.carries;
    }

    /** The element this rule writes, as its first path step ({@code occurrence[x]}, {@code code}). */
    String firstStep() {
        return steps[0];
    }

    /** The first v2 position the rule reads, or null for constants and references: to name a missing source. */
    V2Path source() {
        return !from.isEmpty() ? from.get(0) : !concat.isEmpty() ? concat.get(0) : null;
    }

    void apply(Base target, Scope scope) throws MappingException {
        if (when != null && !when.test(scope)) {
            return;
        }
        switch (kind) {
            case REFERENCE:
                applyReference(target, scope);
                return;
            case COMPLEX:
                applyComplex(target, scope);
                return;
            default:
                applyValues(target, scope);
        }
    }

    private void applyReference(Base target, Scope scope) {
        if (reach != Reach.NEAREST) {
            List<MappingRun.Instance> targets = reach == Reach.GROUP
                    ? scope.run.referencedInGroup(referenceKey, scope.segment)
                    : scope.run.distinctInstances(referenceKey);
            for (MappingRun.Instance i : targets) {
                ((Reference) makeLeaf(target)).setReference(i.reference());
            }
            return;
        }
        // Inside a rule reading other segments (group:DG1.6 from a PV1), the reference is to what that segment made.
        MappingRun.Instance i = scope.run.referenced(referenceKey, scope.node != null ? scope.node.segment : scope.segment);
        if (i != null) {
            ((Reference) makeLeaf(target)).setReference(i.reference());
        }
    }

    private void applyComplex(Base target, Scope scope) throws MappingException {
        List<V2Node> nodes = new ArrayList<>(2);
        if (from.isEmpty()) {
            nodes.add(scope.node);
        } else {
            for (V2Path p : from) {
                for (V2Node n : p.resolve(scope)) {
                    if (!n.isEmpty()) {
                        nodes.add(n);
                    }
                }
                if (!nodes.isEmpty()) {
                    break;
                }
            }
        }
        int limit = listTarget && !firstOnly ? nodes.size() : Math.min(1, nodes.size());
        for (int i = 0; i < limit; i++) {
            Base parent = makeParent(target);
            Base leaf = makeLeafIn(parent);
            Scope inner = scope.inside(nodes.get(i), path, pathRequired);
            for (Rule child : children) {
                child.apply(leaf, inner);
            }
            // An extension whose value was left out would be a url alone, which FHIR refuses (ext-1).
            if (leaf.isEmpty() || leaf instanceof Extension e && !e.hasValue() && !e.hasExtension()) {
                detach(parent, leaf);
            }
        }
    }

    private void applyValues(Base target, Scope scope) throws MappingException {
        List<V2Node> nodes = new ArrayList<>(2);
        List<String> texts = new ArrayList<>(2);
        // For a coverage report: whether the texts come from the message, and the further nodes merged into the first.
        boolean fromMessage = true;
        List<V2Node> merged = null;
        if (constant != null) {
            nodes.add(scope.node);
            texts.add(constant);
            fromMessage = false;
        } else if (!concat.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            V2Node firstNode = null;
            for (V2Path p : concat) {
                V2Node n = p.first(scope);
                String t = n == null ? null : textOf(n);
                if (t != null && !t.isBlank()) {
                    if (sb.length() > 0) {
                        sb.append(separator);
                    }
                    sb.append(t.trim());
                    firstNode = firstNode == null ? n : firstNode;
                    if (scope.run.coverage != null) {
                        merged = merged == null ? new ArrayList<>(2) : merged;
                        merged.add(n);
                    }
                }
            }
            if (sb.length() > 0) {
                nodes.add(firstNode);
                texts.add(sb.toString());
            }
        } else {
            for (V2Path p : from) {
                for (V2Node n : p.resolve(scope)) {
                    String t = n.isEmpty() ? null : textOf(n);
                    if (t != null) {
                        nodes.add(n);
                        texts.add(t);
                    }
                }
                if (!texts.isEmpty()) {
                    break;
                }
            }
            if (join != null && texts.size() > 1) {
                String joined = String.join(join, texts);
                V2Node first = nodes.get(0);
                merged = scope.run.coverage != null ? new ArrayList<>(nodes) : null;
                texts.clear();
                nodes.clear();
                texts.add(joined);
                nodes.add(first);
            }
        }
        if (texts.isEmpty() && defaultValue != null) {
            nodes.add(scope.node);
            texts.add(defaultValue);
            fromMessage = false;
        }
        int limit = listTarget && !firstOnly ? texts.size() : Math.min(1, texts.size());
        for (int i = 0; i < limit; i++) {
            boolean written = write(target, scope, nodes.get(i), texts.get(i));
            if (written && fromMessage && scope.run.coverage != null) {
                markUsed(scope.run.coverage, nodes.get(i));
                for (V2Path c : carries) {
                    V2Node carried = c.first(scope);
                    if (carried != null) {
                        scope.run.coverage.used(carried);
                    }
                }
                if (i == 0 && merged != null) {
                    for (V2Node n : merged) {
                        markUsed(scope.run.coverage, n);
                    }
                }
            }
        }
    }

    private void markUsed(CoverageTracker coverage, V2Node node) {
        if (transform == Transform.HD_TO_URI) {
            coverage.usedParts(node, 1, 3);
        } else if (transform == Transform.EI_TO_URI) {
            coverage.usedParts(node, 2, 3);
        } else {
            coverage.used(node);
        }
        if (valueSet != null && node != null) {
            V2Node tableName = tableNameBeside(node);
            if (tableName != null && valueSet.isTableName(tableName.text())) {
                coverage.used(tableName);
            }
        }
    }

    /** The name of coding system of the CWE whose code is {@code node} (its third part), or null if none can be. */
    private static V2Node tableNameBeside(V2Node node) {
        return switch (node.level) {
            case V2Node.FIELD -> node.child(3);
            case V2Node.COMPONENT -> node.component == 1
                    ? new V2Node(node.segment, node.field, node.repetition, 3, 0, V2Node.COMPONENT) : null;
            default -> node.subcomponent == 1
                    ? new V2Node(node.segment, node.field, node.repetition, node.component, 3, V2Node.SUBCOMPONENT) : null;
        };
    }

    private String textOf(V2Node n) {
        String t = transform != null && transform.readsComposite() ? transform.apply(n, null) : n.text();
        if (t != null && transform != null && !transform.readsComposite()) {
            t = transform.apply(n, t);
        }
        return t;
    }

    /** Whether the value was written; a value left out in lenient mode has been reported by {@link Scope}. */
    private boolean write(Base target, Scope scope, V2Node node, String text) throws MappingException {
        String value = prefix == null ? text : prefix + text;
        ValueSetMap.Target coded = null;
        if (valueSet != null) {
            coded = valueSet.lookup(value);
            if (coded == null) {
                if (valueSet.reportsUnknownCodes()) {
                    scope.unknownCode(node, path);
                }
                return false;
            }
            value = coded.code();
        }
        if (kind == Kind.CODED) {
            Base leaf = makeLeaf(target);
            Coding coding = leaf instanceof CodeableConcept cc ? cc.addCoding() : (Coding) leaf;
            coding.setSystem(coded.system()).setCode(coded.code()).setDisplay(coded.display());
            return true;
        }
        String converted;
        try {
            converted = PrimitiveValues.convert(value, fhirType, scope.run);
        } catch (IllegalArgumentException e) {
            scope.unusable(node, path, pathRequired, e.getMessage() + " for " + fhirType + " element " + where);
            return false;
        }
        Base parent = makeParent(target);
        PrimitiveType<?> leaf = (PrimitiveType<?>) makeLeafIn(parent);
        try {
            leaf.setValueAsString(converted);
        } catch (RuntimeException e) {
            scope.unusable(node, path, pathRequired, "value not allowed for " + fhirType + " element " + where);
            detach(parent, leaf);
            return false;
        }
        String contradiction = contradicts(target, parent);
        if (contradiction != null) {
            scope.unusable(node, path, pathRequired, contradiction);
            if (target instanceof Range r) {
                // A high with a unit but no value still breaks rng-2: the whole high goes (its value is written last).
                r.setHigh(null);
            } else {
                detach(parent, leaf);
            }
            return false;
        }
        return true;
    }

    /**
     * A value fine alone that contradicts the one written before it: a period's end before its start (per-1), a range's
     * high below its low (rng-2). Rules write start and low first, and a range's high value after its unit, so the
     * later value is the one left out.
     */
    private static String contradicts(Base target, Base parent) {
        if (parent instanceof Period p && p.hasStart() && p.hasEnd() && p.getStart().after(p.getEnd())) {
            return "period ends before it starts";
        }
        if (target instanceof Range r && parent == r.getHigh() && r.hasLow() && r.getLow().hasValue()
                && r.getHigh().hasValue() && r.getLow().getValue().compareTo(r.getHigh().getValue()) > 0) {
            return "range high below its low";
        }
        return null;
    }

    private Base makeParent(Base target) {
        Base current = target;
        for (int i = 0; i < steps.length - 1; i++) {
            current = current.makeProperty(stepHashes[i], steps[i]);
        }
        return current;
    }

    private Base makeLeafIn(Base parent) {
        int last = steps.length - 1;
        if (choiceType != null) {
            Base value = FACTORY.create(choiceType);
            parent.setProperty(steps[last], value);
            return value;
        }
        return parent.makeProperty(stepHashes[last], steps[last]);
    }

    private Base makeLeaf(Base target) {
        return makeLeafIn(makeParent(target));
    }

    private void detach(Base parent, Base leaf) {
        try {
            parent.removeChild(steps[steps.length - 1], leaf);
        } catch (FHIRException | UnsupportedOperationException e) {
            // The serializer leaves empty elements out anyway; detaching only keeps the in-memory Bundle tidy.
        }
    }
}
