package io.caduceus.hl7.mapping;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeDeclaredChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementCompositeDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition.ChildTypeEnum;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeChildContainedResources;
import ca.uhn.fhir.context.RuntimeChildDeclaredExtensionDefinition;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.instance.model.api.IBase;

/**
 * How HAPI's JSON parser walks each composite class (its children in order, their JSON names per value type), for
 * {@link CanonicalFhirJson}: computed once per class from the FHIR context and shared by every thread.
 */
final class FhirChildLayouts {

    /** Element names HAPI leaves out anywhere inside a contained resource. */
    private static final Set<String> DROPPED_IN_CONTAINED = Set.of("security", "versionId", "lastUpdated");

    private final FhirContext context;
    private final ClassValue<Layout> layouts = new ClassValue<>() {
        @Override
        protected Layout computeValue(Class<?> type) {
            return buildLayout(type);
        }
    };

    FhirChildLayouts(FhirContext context) {
        this.context = context;
    }

    /** How HAPI walks one composite class: its children in order, less those it never writes as plain children. */
    static final class Layout {
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

        Typed typed(Class<?> type, FhirChildLayouts owner) {
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
    record Typed(String name, ChildTypeEnum type, boolean nested, Class<?> valueType) {

        Typed(String name, ChildTypeEnum type, Class<?> valueType) {
            this(name, type, type == ChildTypeEnum.COMPOSITE_DATATYPE || type == ChildTypeEnum.RESOURCE_BLOCK
                    || type == ChildTypeEnum.RESOURCE, valueType);
        }
    }

    /** The layout of a composite class, or {@link CanonicalFhirJson.Unsupported} for one HAPI writes otherwise. */
    Layout layout(Class<?> type) {
        Layout layout = layouts.get(type);
        if (layout.refusal != null) {
            throw new CanonicalFhirJson.Unsupported(layout.refusal);
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
            throw new CanonicalFhirJson.Unsupported("value type not allowed in element " + child.getElementName());
        }
        return new Typed(name, definition.getChildType(), valueType);
    }
}
