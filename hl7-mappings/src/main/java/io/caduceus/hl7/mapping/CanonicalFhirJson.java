package io.caduceus.hl7.mapping;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeDeclaredChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementCompositeDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition.ChildTypeEnum;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.ParserOptions;
import ca.uhn.fhir.context.RuntimeChildContainedResources;
import ca.uhn.fhir.context.RuntimeChildDeclaredExtensionDefinition;
import ca.uhn.fhir.context.RuntimeChildUndeclaredExtensionDefinition;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.context.api.AddProfileTagEnum;
import ca.uhn.fhir.util.MetaUtil;
import io.caduceus.core.json.CanonicalJson;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseBooleanDatatype;
import org.hl7.fhir.instance.model.api.IBaseCoding;
import org.hl7.fhir.instance.model.api.IBaseDecimalDatatype;
import org.hl7.fhir.instance.model.api.IBaseElement;
import org.hl7.fhir.instance.model.api.IBaseExtension;
import org.hl7.fhir.instance.model.api.IBaseHasExtensions;
import org.hl7.fhir.instance.model.api.IBaseHasModifierExtensions;
import org.hl7.fhir.instance.model.api.IBaseIntegerDatatype;
import org.hl7.fhir.instance.model.api.IBaseMetaType;
import org.hl7.fhir.instance.model.api.IBaseReference;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IDomainResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.BackboneElement;
import org.hl7.fhir.r4.model.BackboneType;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Element;
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

    /** Element names HAPI leaves out anywhere inside a contained resource. */
    private static final Set<String> DROPPED_IN_CONTAINED = Set.of("security", "versionId", "lastUpdated");

    private final FhirContext context;
    private final RuntimeChildUndeclaredExtensionDefinition extensionValueDefinition;
    private final ClassValue<Layout> layouts = new ClassValue<>() {
        @Override
        protected Layout computeValue(Class<?> type) {
            return buildLayout(type);
        }
    };

    CanonicalFhirJson(FhirContext context) {
        this.context = context;
        this.extensionValueDefinition = context.getRuntimeChildUndeclaredExtensionDefinition();
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
            if (!isBlank(id.getIdPart()) && !id.getValue().startsWith("urn:")) {
                json.put("id", id.getIdPart());
                List<IBaseExtension<?, ?>> extensions = presentExtensions(id);
                if (!extensions.isEmpty()) {
                    JsonObject underscore = new JsonObject();
                    underscore.put("extension", extensionArray(extensions, resource));
                    json.put("_id", underscore);
                }
            }
            containedResources = containedOf(resource);
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

    /**
     * The resources HAPI writes under {@code contained}: the resource's own list, provided HAPI would neither rename
     * them (ids starting with '#'), invent ids for them (blank ids) nor merge them (duplicate ids).
     */
    private List<IBaseResource> containedOf(IBaseResource resource) {
        if (!(resource instanceof IDomainResource domain) || domain.getContained().isEmpty()) {
            return List.of();
        }
        List<IBaseResource> result = new ArrayList<>(domain.getContained().size());
        Set<String> idParts = new HashSet<>();
        for (IBaseResource next : domain.getContained()) {
            String id = next.getIdElement().getValue();
            if (isBlank(id) || id.startsWith("#")) {
                throw new Unsupported("contained resource without a plain id");
            }
            if (!idParts.add(String.valueOf(next.getIdElement().getIdPart()))) {
                throw new Unsupported("contained resources sharing an id");
            }
            result.add(next);
        }
        return result;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Composite elements

    private JsonObject composite(IBase element, IBaseResource resource, boolean contained) {
        JsonObject json = new JsonObject();
        String elementId = compositeElementId(element);
        if (!isBlank(elementId)) {
            json.put("id", elementId);
        }
        children(element, json, resource, contained, List.of());
        return json;
    }

    private void children(IBase element, JsonObject json, IBaseResource resource, boolean contained,
            List<IBaseResource> containedResources) {
        Layout layout = layout(element.getClass());
        if (layout.hasExtensions) {
            writeOwnExtensions(element, json, resource);
        }
        for (Slot slot : layout.slots) {
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
            if (values.size() == 1 && isMeta(values.get(0))) {
                checkMetaUnchangedByHapi((IBaseMetaType) values.get(0), resource);
            }
            writeChild(slot, values, json, resource, contained);
        }
    }

    /** HAPI encodes a copy of Meta that it may change; only metas it would leave as they are are written here. */
    private static void checkMetaUnchangedByHapi(IBaseMetaType meta, IBaseResource resource) {
        if (isBlank(meta.getVersionId()) && resource.getIdElement().hasVersionIdPart()) {
            throw new Unsupported("meta version taken from the resource id");
        }
        for (IBaseCoding coding : meta.getTag()) {
            if (isBlank(coding.getCode()) && isBlank(coding.getSystem())) {
                throw new Unsupported("meta tag HAPI would filter");
            }
        }
        for (IBaseCoding coding : meta.getSecurity()) {
            if (isBlank(coding.getCode()) && isBlank(coding.getSystem())) {
                throw new Unsupported("meta security label HAPI would filter");
            }
        }
    }

    private void writeChild(Slot slot, List<? extends IBase> values, JsonObject json, IBaseResource resource,
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
            Typed typed = slot.typed(value.getClass(), this);
            Object encoded;
            if (typed.nested) {
                // HAPI skips values whose isEmpty() holds. For a composite that is a walk of its whole subtree, repeated
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
                name = typed.name;
            } else if (!name.equals(typed.name)) {
                throw new Unsupported("one element written under several names");
            }
            boolean force = false;
            if (typed.type == ChildTypeEnum.PRIMITIVE_DATATYPE) {
                if (value.hasFormatComment()) {
                    throw new Unsupported("comments on a primitive");
                }
                List<IBaseExtension<?, ?>> extensions = nonEmptyExtensions(value, false);
                if (!extensions.isEmpty()) {
                    heldExtensions = hold(heldExtensions, position, extensions);
                    force = true;
                }
                List<IBaseExtension<?, ?>> modifierExtensions = nonEmptyExtensions(value, true);
                if (!modifierExtensions.isEmpty()) {
                    heldModifierExtensions = hold(heldModifierExtensions, position, modifierExtensions);
                    force = true;
                }
                String elementId = compositeElementId(value);
                if (!isBlank(elementId)) {
                    heldIds = hold(heldIds, position, elementId);
                    force = true;
                }
            }
            if (slot.array) {
                if (array == null) {
                    array = new ArrayList<>(values.size());
                }
                if (encoded != ABSENT) {
                    array.add(encoded);
                } else if (force) {
                    array.add(null);
                }
            } else {
                if (encoded != ABSENT) {
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
        String id = held(ids, position);
        if (!isBlank(id)) {
            companion.put("id", id);
        }
        List<IBaseExtension<?, ?>> ext = held(extensions, position);
        if (ext != null && !ext.isEmpty()) {
            companion.put("extension", extensionArray(ext, resource));
        }
        List<IBaseExtension<?, ?>> modifiers = held(modifierExtensions, position);
        if (modifiers != null && !modifiers.isEmpty()) {
            companion.put("modifierExtension", extensionArray(modifiers, resource));
        }
        return companion;
    }

    /** Marks "nothing written" for a value, as distinct from a JSON null. */
    private static final Object ABSENT = new Object();

    private Object encodeValue(IBase value, Typed typed, IBaseResource resource, boolean contained) {
        switch (typed.type) {
            case ID_DATATYPE: {
                // Never the element named "id" here (HAPI skips those), so the full value, and no "_" companion.
                String encoded = ((IIdType) value).getValue();
                return isBlank(encoded) ? ABSENT : checkedString(encoded);
            }
            case PRIMITIVE_DATATYPE:
                return primitive((IPrimitiveType<?>) value);
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
                return checkedString(xhtml);
            }
            case RESOURCE:
                if (contained) {
                    throw new Unsupported("resource nested in a contained resource");
                }
                return resource((IBaseResource) value, false, null);
            default:
                throw new Unsupported("element kind " + typed.type);
        }
    }

    private static Object primitive(IPrimitiveType<?> value) {
        String text = value.getValueAsString();
        if (isBlank(text)) {
            return ABSENT;
        }
        // Same order of tests as HAPI, which decides between JSON strings, numbers and booleans by them.
        Object raw = value.getValue();
        if (raw instanceof String) {
            return checkedString(text);
        }
        if (raw instanceof Long l) {
            return new JsonNumber(CanonicalJson.formatNumber((double) l));
        }
        if (value instanceof IBaseIntegerDatatype integer) {
            // An int prints the same as ECMAScript prints its double: plain digits.
            return new JsonNumber(Integer.toString(integer.getValue()));
        }
        if (value instanceof IBaseDecimalDatatype) {
            return new JsonNumber(CanonicalJson.formatNumber(jsonNumberAsDouble(text)));
        }
        if (value instanceof IBaseBooleanDatatype bool) {
            Boolean b = bool.getValue();
            return b == null ? ABSENT : b;
        }
        return checkedString(text);
    }

    /**
     * HAPI writes a decimal's text verbatim as a JSON number and the canonicalizer reads it back as a double; text
     * that is not a JSON number makes the canonicalizer fail, which only the HAPI path reproduces faithfully.
     */
    static double jsonNumberAsDouble(String text) {
        int i = 0;
        int n = text.length();
        if (i < n && text.charAt(i) == '-') {
            i++;
        }
        if (i < n && text.charAt(i) == '0') {
            i++;
        } else if (i < n && isDigit(text.charAt(i))) {
            while (i < n && isDigit(text.charAt(i))) {
                i++;
            }
        } else {
            throw new Unsupported("decimal that is not a JSON number");
        }
        if (i < n && text.charAt(i) == '.') {
            i++;
            if (i >= n || !isDigit(text.charAt(i))) {
                throw new Unsupported("decimal that is not a JSON number");
            }
            while (i < n && isDigit(text.charAt(i))) {
                i++;
            }
        }
        if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                i++;
            }
            if (i >= n || !isDigit(text.charAt(i))) {
                throw new Unsupported("decimal that is not a JSON number");
            }
            while (i < n && isDigit(text.charAt(i))) {
                i++;
            }
        }
        if (i != n) {
            throw new Unsupported("decimal that is not a JSON number");
        }
        double d = Double.parseDouble(text);
        if (Double.isInfinite(d)) {
            throw new Unsupported("decimal beyond the double range");
        }
        return d;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
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
        if (!isBlank(target.getIdPart())) {
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
        List<IBaseExtension<?, ?>> extensions = presentExtensions(element);
        if (!extensions.isEmpty()) {
            json.put("extension", extensionArray(extensions, resource));
        }
        List<? extends IBaseExtension<?, ?>> all = modifierExtensionsOf(element);
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

    /** Extensions with a value or nested extensions; HAPI skips the rest on composites and extension values. */
    private static List<IBaseExtension<?, ?>> presentExtensions(IBase element) {
        List<? extends IBaseExtension<?, ?>> all = extensionsOf(element);
        if (all.isEmpty()) {
            return List.of();
        }
        List<IBaseExtension<?, ?>> result = new ArrayList<>(2);
        for (IBaseExtension<?, ?> next : all) {
            if (next != null && (!isEmpty(next.getValue()) || !next.getExtension().isEmpty())) {
                result.add(next);
            }
        }
        return result;
    }

    /** Extensions on a primitive in a list: HAPI keeps any non-empty one, a url alone being enough. */
    private static List<IBaseExtension<?, ?>> nonEmptyExtensions(IBase value, boolean modifier) {
        List<? extends IBaseExtension<?, ?>> all = modifier ? modifierExtensionsOf(value) : extensionsOf(value);
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
        String elementId = compositeElementId(extension);
        if (!isBlank(elementId)) {
            json.put("id", elementId);
        }
        String url = extension.getUrl();
        if (url == null) {
            throw new Unsupported("extension without url");
        }
        json.put("url", checkedString(url));
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
            if (isMeta(value)) {
                throw new Unsupported("Meta as an extension value");
            }
            String name = extensionValueDefinition.getChildNameByDatatype(value.getClass());
            BaseRuntimeElementDefinition<?> definition =
                    extensionValueDefinition.getChildElementDefinitionByDatatype(value.getClass());
            if (name == null || definition == null) {
                throw new Unsupported("extension value of an unregistered type");
            }
            Typed typed = new Typed(name, definition.getChildType(), value.getClass());
            // HAPI encodes extension values as outside any contained resource, whatever encloses them.
            Object encoded = encodeValue(value, typed, resource, false);
            if (encoded != ABSENT) {
                json.put(name, encoded);
            }
            if (typed.type == ChildTypeEnum.PRIMITIVE_DATATYPE || typed.type == ChildTypeEnum.ID_DATATYPE) {
                List<IBaseExtension<?, ?>> valueExtensions = presentExtensions(value);
                if (!valueExtensions.isEmpty()) {
                    JsonObject companion = new JsonObject();
                    companion.put("extension", extensionArray(valueExtensions, resource));
                    json.put("_" + name, companion);
                }
            }
        }
        return json;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Per-class layouts

    /** How HAPI walks one composite class: its children in order, less those it never writes as plain children. */
    private static final class Layout {
        final Slot[] slots;
        final boolean hasExtensions;
        final String refusal;

        Layout(Slot[] slots, boolean hasExtensions, String refusal) {
            this.slots = slots;
            this.hasExtensions = hasExtensions;
            this.refusal = refusal;
        }
    }

    /** One child element of a composite class, with its JSON names per Java type memoized. */
    static final class Slot {
        final BaseRuntimeChildDefinition definition;
        final String name;
        final boolean array;
        final boolean droppedInContained;
        final boolean containedResources;
        private final Map<Class<?>, Typed> byType = new ConcurrentHashMap<>(4);
        /**
         * The child's field offset, read directly where HAPI's accessor does nothing but read that field; -1: ask
         * the accessor. Every slot of a composite is read, most of them empty, and the accessor's chain (a
         * megamorphic definition, the accessor, the {@code Field}, its field accessor) was a quarter of this
         * writer's time under load. Layouts are per concrete class, so a slot only ever reads its owner's instances.
         */
        private final long fieldOffset;
        private final boolean fieldHoldsList;

        /** @param owner the class whose instances this slot reads: the layout's class */
        Slot(Class<?> owner, BaseRuntimeChildDefinition definition) {
            this.definition = definition;
            this.containedResources = definition instanceof RuntimeChildContainedResources;
            // HAPI names the contained list by its first valid child name rather than the element name.
            this.name = containedResources
                    ? definition.getValidChildNames().iterator().next()
                    : definition.getElementName();
            BaseRuntimeChildDefinition replaced = definition.getReplacedParentDefinition();
            this.array = definition.isMultipleCardinality() || replaced != null && replaced.isMultipleCardinality();
            this.droppedInContained = DROPPED_IN_CONTAINED.contains(definition.getElementName());
            Field plain = plainField(definition);
            if (plain != null && !plain.getDeclaringClass().isAssignableFrom(owner)) {
                plain = null; // an offset is only meaningful within its declaring class's instances
            }
            this.fieldOffset = plain == null ? -1 : FieldReads.offset(plain);
            this.fieldHoldsList = plain != null && List.class.isAssignableFrom(plain.getType());
        }

        boolean readsFieldDirectly() {
            return fieldOffset >= 0;
        }

        /** The values HAPI's accessor would return, in its order: the list itself, or the single value. */
        @SuppressWarnings("unchecked")
        List<? extends IBase> values(IBase element) {
            if (fieldOffset < 0) {
                return definition.getAccessor().getValues(element);
            }
            Object value = FieldReads.read(element, fieldOffset);
            if (value == null) {
                return List.of();
            }
            return fieldHoldsList ? (List<? extends IBase>) value : Collections.singletonList((IBase) value);
        }

        /** The field behind HAPI's own field accessors (a plain or a list read of it), else null. */
        private static Field plainField(BaseRuntimeChildDefinition definition) {
            if (!(definition instanceof BaseRuntimeDeclaredChildDefinition declared) || declared.getField() == null) {
                return null;
            }
            String accessor = definition.getAccessor().getClass().getName();
            boolean plainRead = accessor.equals(BaseRuntimeDeclaredChildDefinition.class.getName() + "$FieldPlainAccessor")
                    || accessor.equals(BaseRuntimeDeclaredChildDefinition.class.getName() + "$FieldListAccessor");
            return plainRead ? declared.getField() : null;
        }

        /** Most children only ever hold one type; remembering the last one spares a map lookup per value. */
        private Typed last;

        Typed typed(Class<?> type, CanonicalFhirJson owner) {
            Typed recent = last; // Typed is immutable (final fields), so a racy read sees it whole
            if (recent != null && recent.valueType == type) {
                return recent;
            }
            Typed typed = byType.get(type);
            if (typed == null) {
                typed = owner.resolve(definition, type);
                byType.put(type, typed);
            }
            last = typed;
            return typed;
        }
    }

    /**
     * The JSON name and element kind HAPI uses for a value of one Java type in one child; {@code nested} for kinds
     * written as a JSON object (composites, backbone elements, resources).
     */
    private record Typed(String name, ChildTypeEnum type, boolean nested, Class<?> valueType) {

        Typed(String name, ChildTypeEnum type, Class<?> valueType) {
            this(name, type, type == ChildTypeEnum.COMPOSITE_DATATYPE || type == ChildTypeEnum.RESOURCE_BLOCK
                    || type == ChildTypeEnum.RESOURCE, valueType);
        }
    }

    private Layout layout(Class<?> type) {
        Layout layout = layouts.get(type);
        if (layout.refusal != null) {
            throw new Unsupported(layout.refusal);
        }
        return layout;
    }

    private Layout buildLayout(Class<?> type) {
        BaseRuntimeElementDefinition<?> definition = context.getElementDefinition(type.asSubclass(IBase.class));
        if (!(definition instanceof BaseRuntimeElementCompositeDefinition<?> composite)) {
            return new Layout(new Slot[0], false, "not a composite: " + type.getSimpleName());
        }
        if (!definition.getExtensions().isEmpty()) {
            return new Layout(new Slot[0], false, "declared extensions on " + type.getSimpleName());
        }
        List<Slot> slots = new ArrayList<>();
        boolean hasExtensions = false;
        for (BaseRuntimeChildDefinition child : composite.getChildrenAndExtension()) {
            String name = child.getElementName();
            if (child instanceof RuntimeChildDeclaredExtensionDefinition) {
                return new Layout(new Slot[0], false, "declared extensions on " + type.getSimpleName());
            }
            if (name.equals("id")) {
                continue; // written from the resource id or the element id, never as a plain child
            }
            if (name.equals("extension") || name.equals("modifierExtension")) {
                hasExtensions = true;
                continue;
            }
            slots.add(new Slot(type, child));
        }
        return new Layout(slots.toArray(new Slot[0]), hasExtensions, null);
    }

    /** HAPI's {@code BaseParser.getChildNameAndDef}: the declared type, else "code", else the nearest superclass. */
    private Typed resolve(BaseRuntimeChildDefinition child, Class<?> valueType) {
        @SuppressWarnings("unchecked")
        Class<? extends IBase> type = (Class<? extends IBase>) valueType;
        String name = child.getChildNameByDatatype(type);
        BaseRuntimeElementDefinition<?> definition = child.getChildElementDefinitionByDatatype(type);
        if (definition == null) {
            BaseRuntimeElementDefinition<?> elementDefinition = context.getElementDefinition(type);
            if (elementDefinition != null && elementDefinition.getName().equals("code")) {
                Class<? extends IBase> codeType = context.getElementDefinition("code").getImplementingClass();
                definition = child.getChildElementDefinitionByDatatype(codeType);
                name = child.getChildNameByDatatype(codeType);
            }
            for (Class<?> superType = type; definition == null && IBase.class.isAssignableFrom(superType);
                    superType = superType.getSuperclass()) {
                if (!Modifier.isAbstract(superType.getModifiers())) {
                    @SuppressWarnings("unchecked")
                    Class<? extends IBase> concrete = (Class<? extends IBase>) superType;
                    Class<? extends IBase> implementing = context.getElementDefinition(concrete).getImplementingClass();
                    definition = child.getChildElementDefinitionByDatatype(implementing);
                    name = child.getChildNameByDatatype(implementing);
                }
            }
        }
        if (definition == null || name == null) {
            throw new Unsupported("value type not allowed in element " + child.getElementName());
        }
        return new Typed(name, definition.getChildType(), valueType);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers

    // HAPI's R4 types implement many interfaces, and an interface test on an object that fails the JVM's one-entry
    // cache per class walks the class's whole interface list; alternating tests (element, extensions, reference...)
    // kept missing it and were a tenth of this writer's time, more when threads share the classes. R4 objects are
    // therefore told apart by class, which is a constant-time test; other models go by the interfaces.

    private static String compositeElementId(IBase element) {
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

    private static boolean isMeta(IBase value) {
        return value instanceof Meta || !(value instanceof Base) && value instanceof IBaseMetaType;
    }

    private static boolean isEmpty(IBase element) {
        return element == null || element.isEmpty();
    }

    /** Commons Lang's isBlank, which HAPI uses: null, empty or all {@link Character#isWhitespace}. */
    private static boolean isBlank(String s) {
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
    private static String checkedString(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw new Unsupported("lone surrogate");
                }
            }
        }
        return s;
    }

    private static <T> List<T> hold(List<T> list, int position, T value) {
        List<T> result = list == null ? new ArrayList<>(position + 1) : list;
        while (result.size() <= position) {
            result.add(null);
        }
        result.set(position, value);
        return result;
    }

    private static <T> T held(List<T> list, int position) {
        return list == null || list.size() <= position ? null : list.get(position);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Output tree

    /** A JSON number already in its canonical (ECMAScript) form. */
    private record JsonNumber(String text) {
    }

    /**
     * A JSON object under construction. Members are few, so a pair of arrays and an insertion sort at write time
     * beat a sorted map; keys compare by UTF-16 code units as RFC 8785 requires.
     */
    private static final class JsonObject {
        private String[] keys = new String[8];
        private Object[] values = new Object[8];
        private int size;

        void put(String key, Object value) {
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            keys[size] = key;
            values[size] = value;
            size++;
        }

        boolean isEmpty() {
            return size == 0;
        }

        void writeTo(StringBuilder out) {
            for (int i = 1; i < size; i++) {
                String key = keys[i];
                Object value = values[i];
                int j = i - 1;
                while (j >= 0 && keys[j].compareTo(key) > 0) {
                    keys[j + 1] = keys[j];
                    values[j + 1] = values[j];
                    j--;
                }
                keys[j + 1] = key;
                values[j + 1] = value;
            }
            out.append('{');
            for (int i = 0; i < size; i++) {
                if (i > 0) {
                    if (keys[i].equals(keys[i - 1])) {
                        // HAPI would write the member twice, which the canonicalizer rejects.
                        throw new Unsupported("duplicate member");
                    }
                    out.append(',');
                }
                CanonicalJson.appendString(keys[i], out);
                out.append(':');
                writeValue(values[i], out);
            }
            out.append('}');
        }
    }

    private static void writeValue(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            CanonicalJson.appendString(s, out);
        } else if (value instanceof JsonObject o) {
            o.writeTo(out);
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                writeValue(list.get(i), out);
            }
            out.append(']');
        } else if (value instanceof JsonNumber n) {
            out.append(n.text());
        } else if (value instanceof Boolean b) {
            out.append(b.booleanValue());
        } else {
            throw new IllegalStateException("unexpected JSON value " + value.getClass().getName());
        }
    }
}
