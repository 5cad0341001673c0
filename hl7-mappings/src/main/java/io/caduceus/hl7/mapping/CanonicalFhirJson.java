package io.caduceus.hl7.mapping;

import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition.ChildTypeEnum;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.ParserOptions;
import ca.uhn.fhir.context.RuntimeChildUndeclaredExtensionDefinition;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.context.api.AddProfileTagEnum;
import ca.uhn.fhir.util.MetaUtil;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonNumbers;
import io.caduceus.hl7.mapping.CanonicalJsonTree.JsonNumber;
import io.caduceus.hl7.mapping.CanonicalJsonTree.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseBooleanDatatype;
import org.hl7.fhir.instance.model.api.IBaseCoding;
import org.hl7.fhir.instance.model.api.IBaseDecimalDatatype;
import org.hl7.fhir.instance.model.api.IBaseExtension;
import org.hl7.fhir.instance.model.api.IBaseIntegerDatatype;
import org.hl7.fhir.instance.model.api.IBaseMetaType;
import org.hl7.fhir.instance.model.api.IBaseReference;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IDomainResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Reference;

/**
 * Writes a HAPI FHIR R4 resource as RFC 8785 canonical JSON straight from the model, giving the same bytes as
 * {@code CanonicalJson.canonicalize(context.newJsonParser().encodeResourceToString(resource))} without HAPI's JSON
 * encoder and without re-parsing its output. Those two steps were most of the cost of mapping a message.
 *
 * <p>Equivalence is the contract, so this class reproduces what HAPI 8.6's {@code JsonParser} (with a fresh parser's
 * default settings) writes, quirks included: element ids on repeating primitives only appear when some value of
 * that element has an extension; extensions on {@code id}-typed elements are dropped; empty values of repeating
 * primitives that carry extensions become {@code null}; decimals are JSON numbers read back as doubles. Where HAPI's
 * result depends on state or settings this class does not model (automatic containment of referenced resources,
 * versioned references, declared extensions, narrative generation, custom resource types, ids HAPI would rewrite,
 * text the canonicalizer would reject), it refuses with {@link Unsupported} instead of guessing; callers fall back to
 * HAPI for that resource.
 *
 * <p>Per-class child layouts are computed once and shared; instances are thread-safe.
 */
final class CanonicalFhirJson {

    /** The resource uses a construct this writer does not reproduce; encode it through HAPI instead. */
    static final class Unsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unsupported(String reason) {
            // No stack trace: refusals are an expected, cheap signal to fall back, not a failure.
            super(reason, null, false, false);
        }
    }

    private final FhirContext context;
    private final RuntimeChildUndeclaredExtensionDefinition extensionValueDefinition;
    private final FhirChildLayouts layouts;

    CanonicalFhirJson(FhirContext context) {
        this.context = context;
        this.extensionValueDefinition = context.getRuntimeChildUndeclaredExtensionDefinition();
        this.layouts = new FhirChildLayouts(context);
    }

    /** The canonical UTF-8 bytes of a resource, or {@link Unsupported} when they cannot be guaranteed equal to HAPI's. */
    byte[] encode(IBaseResource resource) {
        requireDefaultEncodingSettings();
        JsonObject json = resource(resource, false, null);
        StringBuilder out = new StringBuilder(8192);
        json.writeTo(out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The context's settings are shared and mutable, so they are checked on every call rather than captured: the
     * output below is only HAPI's output under these defaults.
     */
    private void requireDefaultEncodingSettings() {
        if (context.getNarrativeGenerator() != null) {
            throw new Unsupported("narrative generator configured");
        }
        AddProfileTagEnum profileTags = context.getAddProfileTagWhenEncoding();
        if (profileTags != AddProfileTagEnum.ONLY_FOR_CUSTOM && profileTags != AddProfileTagEnum.NEVER) {
            throw new Unsupported("profile tags added when encoding");
        }
        ParserOptions options = context.getParserOptions();
        if (!options.isStripVersionsFromReferences() || !options.getDontStripVersionsFromReferencesAtPaths().isEmpty()) {
            throw new Unsupported("non-default reference version stripping");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Resources

    /**
     * @param containedId for a contained resource, the id HAPI writes for it (its own id element is not consulted)
     */
    private JsonObject resource(IBaseResource resource, boolean contained, String containedId) {
        RuntimeResourceDefinition definition = context.getResourceDefinition(resource);
        if (!definition.isStandardType()) {
            throw new Unsupported("custom resource type");
        }
        if (!MetaUtil.getAutoVersionReferencesAtPath(resource.getMeta(), definition.getName()).isEmpty()) {
            throw new Unsupported("auto-versioned references");
        }
        JsonObject json = new JsonObject();
        json.put("resourceType", definition.getName());
        List<IBaseResource> containedResources = List.of();
        if (contained) {
            json.put("id", containedId);
        } else {
            IIdType id = resource.getIdElement();
            if (id.hasFormatComment()) {
                throw new Unsupported("comments on a resource id");
            }
            if (!FhirElements.isBlank(id.getIdPart()) && !id.getValue().startsWith("urn:")) {
                json.put("id", id.getIdPart());
                List<IBaseExtension<?, ?>> extensions = FhirElements.presentExtensions(id);
                if (!extensions.isEmpty()) {
                    JsonObject underscore = new JsonObject();
                    underscore.put("extension", extensionArray(extensions, resource));
                    json.put("_id", underscore);
                }
            }
            containedResources = HapiEncodingChecks.containedOf(resource);
        }
        if (!contained && resource instanceof Bundle bundle) {
            for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
                String fullUrl = entry.getFullUrl();
                if (fullUrl != null && fullUrl.startsWith("urn:") && entry.getResource() != null
                        && entry.getResource().getIdElement().getValue() == null) {
                    throw new Unsupported("entry id HAPI would take from its fullUrl");
                }
            }
        }
        children(resource, json, resource, contained, containedResources);
        return json;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Composite elements

    private JsonObject composite(IBase element, IBaseResource resource, boolean contained) {
        JsonObject json = new JsonObject();
        String elementId = FhirElements.compositeElementId(element);
        if (!FhirElements.isBlank(elementId)) {
            json.put("id", elementId);
        }
        children(element, json, resource, contained, List.of());
        return json;
    }

    private void children(IBase element, JsonObject json, IBaseResource resource, boolean contained,
            List<IBaseResource> containedResources) {
        FhirChildLayouts.Layout layout = layouts.layout(element.getClass());
        if (layout.hasExtensions) {
            writeOwnExtensions(element, json, resource);
        }
        for (FhirChildLayouts.Slot slot : layout.slots) {
            if (contained && slot.droppedInContained) {
                continue;
            }
            if (slot.containedResources) {
                if (!contained && !containedResources.isEmpty()) {
                    List<Object> array = new ArrayList<>(containedResources.size());
                    for (IBaseResource next : containedResources) {
                        array.add(resource(next, true, new IdType(next.getIdElement().getValue()).getIdPart()));
                    }
                    json.put(slot.name, array);
                }
                continue;
            }
            List<? extends IBase> values = slot.values(element);
            if (values.isEmpty()) {
                continue;
            }
            if (values.size() == 1 && FhirElements.isMeta(values.get(0))) {
                HapiEncodingChecks.checkMetaUnchangedByHapi((IBaseMetaType) values.get(0), resource);
            }
            writeChild(slot, values, json, resource, contained);
        }
    }

    private void writeChild(FhirChildLayouts.Slot slot, List<? extends IBase> values, JsonObject json, IBaseResource resource,
            boolean contained) {
        String name = null;
        List<Object> array = null;
        // Per position in the written array: the value's extensions and element id, for the "_name" companion.
        List<List<IBaseExtension<?, ?>>> heldExtensions = null;
        List<List<IBaseExtension<?, ?>>> heldModifierExtensions = null;
        List<String> heldIds = null;
        int position = 0;
        for (IBase value : values) {
            if (value == null) {
                continue;
            }
            FhirChildLayouts.Typed typed = slot.typed(value.getClass(), layouts);
            Object encoded;
            if (typed.nested()) {
                // HAPI skips values whose FhirElements.isEmpty() holds. For a composite that is a walk of its whole subtree, repeated
                // at every level of nesting; it was most of this writer's cost. A value with anything written is not
                // empty, so the walk is only needed when nothing came out.
                encoded = encodeValue(value, typed, resource, contained);
                if (encoded instanceof JsonObject object && object.isEmpty() && value.isEmpty()) {
                    continue;
                }
            } else if (value.isEmpty()) {
                continue;
            } else {
                encoded = encodeValue(value, typed, resource, contained);
            }
            if (name == null) {
                name = typed.name();
            } else if (!name.equals(typed.name())) {
                throw new Unsupported("one element written under several names");
            }
            boolean force = false;
            if (typed.type() == ChildTypeEnum.PRIMITIVE_DATATYPE) {
                if (value.hasFormatComment()) {
                    throw new Unsupported("comments on a primitive");
                }
                List<IBaseExtension<?, ?>> extensions = FhirElements.nonEmptyExtensions(value, false);
                if (!extensions.isEmpty()) {
                    heldExtensions = FhirElements.hold(heldExtensions, position, extensions);
                    force = true;
                }
                List<IBaseExtension<?, ?>> modifierExtensions = FhirElements.nonEmptyExtensions(value, true);
                if (!modifierExtensions.isEmpty()) {
                    heldModifierExtensions = FhirElements.hold(heldModifierExtensions, position, modifierExtensions);
                    force = true;
                }
                String elementId = FhirElements.compositeElementId(value);
                if (!FhirElements.isBlank(elementId)) {
                    heldIds = FhirElements.hold(heldIds, position, elementId);
                    force = true;
                }
            }
            if (slot.array) {
                if (array == null) {
                    array = new ArrayList<>(values.size());
                }
                if (encoded != FhirPrimitiveJson.ABSENT) {
                    array.add(encoded);
                } else if (force) {
                    array.add(null);
                }
            } else {
                if (encoded != FhirPrimitiveJson.ABSENT) {
                    json.put(name, encoded);
                }
            }
            position++;
        }
        if (array != null) {
            json.put(name, array);
        }
        if (heldExtensions == null && heldModifierExtensions == null) {
            return;
        }
        if (array == null) {
            json.put("_" + name, primitiveCompanion(heldExtensions, heldModifierExtensions, heldIds, 0, resource));
            return;
        }
        List<Object> companions = new ArrayList<>(position);
        for (int i = 0; i < position; i++) {
            JsonObject companion = primitiveCompanion(heldExtensions, heldModifierExtensions, heldIds, i, resource);
            companions.add(companion.isEmpty() ? null : companion);
        }
        json.put("_" + name, companions);
    }

    private JsonObject primitiveCompanion(List<List<IBaseExtension<?, ?>>> extensions,
            List<List<IBaseExtension<?, ?>>> modifierExtensions, List<String> ids, int position,
            IBaseResource resource) {
        JsonObject companion = new JsonObject();
        String id = FhirElements.held(ids, position);
        if (!FhirElements.isBlank(id)) {
            companion.put("id", id);
        }
        List<IBaseExtension<?, ?>> ext = FhirElements.held(extensions, position);
        if (ext != null && !ext.isEmpty()) {
            companion.put("extension", extensionArray(ext, resource));
        }
        List<IBaseExtension<?, ?>> modifiers = FhirElements.held(modifierExtensions, position);
        if (modifiers != null && !modifiers.isEmpty()) {
            companion.put("modifierExtension", extensionArray(modifiers, resource));
        }
        return companion;
    }

    private Object encodeValue(IBase value, FhirChildLayouts.Typed typed, IBaseResource resource, boolean contained) {
        switch (typed.type()) {
            case ID_DATATYPE: {
                // Never the element named "id" here (HAPI skips those), so the full value, and no "_" companion.
                String encoded = ((IIdType) value).getValue();
                return FhirElements.isBlank(encoded) ? FhirPrimitiveJson.ABSENT : FhirElements.checkedString(encoded);
            }
            case PRIMITIVE_DATATYPE:
                return FhirPrimitiveJson.primitive((IPrimitiveType<?>) value);
            case COMPOSITE_DATATYPE:
            case RESOURCE_BLOCK:
                if (value instanceof Reference || !(value instanceof Base) && value instanceof IBaseReference) {
                    return reference((IBaseReference) value, resource, contained);
                }
                return composite(value, resource, contained);
            case PRIMITIVE_XHTML:
            case PRIMITIVE_XHTML_HL7ORG: {
                String xhtml = ((IPrimitiveType<?>) value).getValueAsString();
                if (xhtml == null) {
                    throw new Unsupported("null narrative");
                }
                return FhirElements.checkedString(xhtml);
            }
            case RESOURCE:
                if (contained) {
                    throw new Unsupported("resource nested in a contained resource");
                }
                return resource((IBaseResource) value, false, null);
            default:
                throw new Unsupported("element kind " + typed.type());
        }
    }

    /**
     * A Reference as HAPI writes it: its text passes through HAPI's version stripping. References holding a
     * resource object make HAPI contain that resource and rewrite the reference, which is not reproduced.
     */
    private JsonObject reference(IBaseReference reference, IBaseResource resource, boolean contained) {
        if (reference.getResource() != null) {
            throw new Unsupported("reference holding a resource");
        }
        IIdType target = reference.getReferenceElement();
        if (!FhirElements.isBlank(target.getIdPart())) {
            String written = target.toVersionless().getValue();
            if (!Objects.equals(written, target.getValue())) {
                throw new Unsupported("reference HAPI would rewrite");
            }
        }
        return composite(reference, resource, contained);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Extensions

    /** The extension and modifierExtension arrays of a composite element or resource, as HAPI selects them. */
    private void writeOwnExtensions(IBase element, JsonObject json, IBaseResource resource) {
        List<IBaseExtension<?, ?>> extensions = FhirElements.presentExtensions(element);
        if (!extensions.isEmpty()) {
            json.put("extension", extensionArray(extensions, resource));
        }
        List<? extends IBaseExtension<?, ?>> all = FhirElements.modifierExtensionsOf(element);
        if (!all.isEmpty()) {
            List<IBaseExtension<?, ?>> modifiers = new ArrayList<>(all.size());
            for (IBaseExtension<?, ?> next : all) {
                if (next != null && !next.isEmpty()) {
                    modifiers.add(next);
                }
            }
            if (!modifiers.isEmpty()) {
                json.put("modifierExtension", extensionArray(modifiers, resource));
            }
        }
    }

    private List<Object> extensionArray(List<IBaseExtension<?, ?>> extensions, IBaseResource resource) {
        List<Object> array = new ArrayList<>(extensions.size());
        for (IBaseExtension<?, ?> extension : extensions) {
            array.add(extension(extension, resource));
        }
        return array;
    }

    private JsonObject extension(IBaseExtension<?, ?> extension, IBaseResource resource) {
        if (extension.hasFormatComment()) {
            throw new Unsupported("comments on an extension");
        }
        JsonObject json = new JsonObject();
        String elementId = FhirElements.compositeElementId(extension);
        if (!FhirElements.isBlank(elementId)) {
            json.put("id", elementId);
        }
        String url = extension.getUrl();
        if (url == null) {
            throw new Unsupported("extension without url");
        }
        json.put("url", FhirElements.checkedString(url));
        IBase value = extension.getValue();
        boolean noValue = value == null || value.isEmpty();
        if (noValue && extension.getExtension().isEmpty()) {
            return json;
        }
        if (!extension.getExtension().isEmpty()) {
            // Nested extensions are written as they are, empty ones included.
            List<Object> nested = new ArrayList<>(extension.getExtension().size());
            for (Object next : extension.getExtension()) {
                nested.add(extension((IBaseExtension<?, ?>) next, resource));
            }
            json.put("extension", nested);
        }
        if (!noValue) {
            if (FhirElements.isMeta(value)) {
                throw new Unsupported("Meta as an extension value");
            }
            String name = extensionValueDefinition.getChildNameByDatatype(value.getClass());
            BaseRuntimeElementDefinition<?> definition =
                    extensionValueDefinition.getChildElementDefinitionByDatatype(value.getClass());
            if (name == null || definition == null) {
                throw new Unsupported("extension value of an unregistered type");
            }
            FhirChildLayouts.Typed typed = new FhirChildLayouts.Typed(name, definition.getChildType(), value.getClass());
            // HAPI encodes extension values as outside any contained resource, whatever encloses them.
            Object encoded = encodeValue(value, typed, resource, false);
            if (encoded != FhirPrimitiveJson.ABSENT) {
                json.put(name, encoded);
            }
            if (typed.type() == ChildTypeEnum.PRIMITIVE_DATATYPE || typed.type() == ChildTypeEnum.ID_DATATYPE) {
                List<IBaseExtension<?, ?>> valueExtensions = FhirElements.presentExtensions(value);
                if (!valueExtensions.isEmpty()) {
                    JsonObject companion = new JsonObject();
                    companion.put("extension", extensionArray(valueExtensions, resource));
                    json.put("_" + name, companion);
                }
            }
        }
        return json;
    }
}
