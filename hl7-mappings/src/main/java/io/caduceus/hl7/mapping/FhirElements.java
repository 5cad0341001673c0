package io.caduceus.hl7.mapping;

import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseElement;
import org.hl7.fhir.instance.model.api.IBaseExtension;
import org.hl7.fhir.instance.model.api.IBaseHasExtensions;
import org.hl7.fhir.instance.model.api.IBaseHasModifierExtensions;
import org.hl7.fhir.instance.model.api.IBaseMetaType;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.BackboneElement;
import org.hl7.fhir.r4.model.BackboneType;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Element;
import org.hl7.fhir.r4.model.Meta;

/** What {@link CanonicalFhirJson} asks of a FHIR element, answered the way HAPI's parser would. */
final class FhirElements {

    private FhirElements() {
    }

    // HAPI's R4 types implement many interfaces, and an interface test on an object that fails the JVM's one-entry
    // cache per class walks the class's whole interface list; alternating tests (element, extensions, reference...)
    // kept missing it and were a tenth of this writer's time, more when threads share the classes. R4 objects are
    // therefore told apart by class, which is a constant-time test; other models go by the interfaces.

    static String compositeElementId(IBase element) {
        if (element instanceof Element e) {
            return e.getId();
        }
        if (element instanceof Base) {
            return null; // R4 resources and other non-elements
        }
        return element instanceof IBaseElement e && !(element instanceof IBaseResource) ? e.getId() : null;
    }

    /** The extensions of an element or resource (empty for types that cannot have any). */
    static List<? extends IBaseExtension<?, ?>> extensionsOf(IBase element) {
        if (element instanceof Element e) {
            return e.hasExtension() ? e.getExtension() : List.of();
        }
        if (element instanceof DomainResource d) {
            return d.hasExtension() ? d.getExtension() : List.of();
        }
        if (element instanceof Base) {
            return List.of();
        }
        return element instanceof IBaseHasExtensions e && e.hasExtension() ? e.getExtension() : List.of();
    }

    /** The modifier extensions of an element or resource (empty for types that cannot have any). */
    static List<? extends IBaseExtension<?, ?>> modifierExtensionsOf(IBase element) {
        if (element instanceof BackboneElement e) {
            return e.hasModifierExtension() ? e.getModifierExtension() : List.of();
        }
        if (element instanceof BackboneType e) {
            return e.hasModifierExtension() ? e.getModifierExtension() : List.of();
        }
        if (element instanceof DomainResource d) {
            return d.hasModifierExtension() ? d.getModifierExtension() : List.of();
        }
        if (element instanceof Base) {
            return List.of();
        }
        return element instanceof IBaseHasModifierExtensions e && e.hasModifierExtension()
                ? e.getModifierExtension() : List.of();
    }

    static boolean isMeta(IBase value) {
        return value instanceof Meta || !(value instanceof Base) && value instanceof IBaseMetaType;
    }

    static boolean isEmpty(IBase element) {
        return element == null || element.isEmpty();
    }

    /** Commons Lang's isBlank, which HAPI uses: null, empty or all {@link Character#isWhitespace}. */
    static boolean isBlank(String s) {
        if (s == null) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The canonicalizer rejects lone surrogates that HAPI writes through, so such text is left to that path. */
    static String checkedString(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw new CanonicalFhirJson.Unsupported("lone surrogate");
                }
            }
        }
        return s;
    }

    static <T> List<T> hold(List<T> list, int position, T value) {
        List<T> result = list == null ? new ArrayList<>(position + 1) : list;
        while (result.size() <= position) {
            result.add(null);
        }
        result.set(position, value);
        return result;
    }

    static <T> T held(List<T> list, int position) {
        return list == null || list.size() <= position ? null : list.get(position);
    }

    /** Extensions with a value or nested extensions; HAPI skips the rest on composites and extension values. */
    static List<IBaseExtension<?, ?>> presentExtensions(IBase element) {
        List<? extends IBaseExtension<?, ?>> all = FhirElements.extensionsOf(element);
        if (all.isEmpty()) {
            return List.of();
        }
        List<IBaseExtension<?, ?>> result = new ArrayList<>(2);
        for (IBaseExtension<?, ?> next : all) {
            if (next != null && (!FhirElements.isEmpty(next.getValue()) || !next.getExtension().isEmpty())) {
                result.add(next);
            }
        }
        return result;
    }

    /** Extensions on a primitive in a list: HAPI keeps any non-empty one, a url alone being enough. */
    static List<IBaseExtension<?, ?>> nonEmptyExtensions(IBase value, boolean modifier) {
        List<? extends IBaseExtension<?, ?>> all = modifier ? FhirElements.modifierExtensionsOf(value) : FhirElements.extensionsOf(value);
        if (all.isEmpty()) {
            return List.of();
        }
        List<IBaseExtension<?, ?>> result = new ArrayList<>(all.size());
        for (IBaseExtension<?, ?> next : all) {
            if (!next.isEmpty()) {
                result.add(next);
            }
        }
        return result;
    }
}
