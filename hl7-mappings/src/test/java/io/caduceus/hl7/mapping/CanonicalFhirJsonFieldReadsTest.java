package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementCompositeDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.ConfigurationException;
import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBase;
import org.junit.jupiter.api.Test;

/**
 * The direct writer reads child fields by offset instead of through HAPI's accessors, for speed. This holds those
 * reads to the accessors for every child of every concrete R4 model type, empty and with a value set through HAPI's
 * own mutator, and checks that the direct read is what nearly every child gets (a silent fallback would pass the
 * equivalence tests and lose the speed).
 */
class CanonicalFhirJsonFieldReadsTest {

    private static final FhirContext R4 = FhirContext.forR4Cached();
    /** Children the writer handles by themselves, as its layouts do, never through a slot. */
    private static final Set<String> NOT_SLOTS = Set.of("id", "extension", "modifierExtension");

    @Test
    void directFieldReadsReturnWhatHapisAccessorsReturnForEveryChildOfEveryR4Type() throws Exception {
        List<String> disagreements = new ArrayList<>();
        int slots = 0;
        int direct = 0;
        int populated = 0;
        for (Class<?> type : CanonicalFhirJsonClassTestsTest.concreteR4ModelTypes()) {
            if (!(definitionOf(type) instanceof BaseRuntimeElementCompositeDefinition<?> definition)) {
                continue;
            }
            for (BaseRuntimeChildDefinition child : definition.getChildrenAndExtension()) {
                if (NOT_SLOTS.contains(child.getElementName())) {
                    continue;
                }
                IBase element = (IBase) CanonicalFhirJsonClassTestsTest.newInstance(type);
                if (element == null) {
                    break;
                }
                FhirChildLayouts.Slot slot = new FhirChildLayouts.Slot(type, child);
                slots++;
                direct += slot.readsFieldDirectly() ? 1 : 0;
                String where = type.getSimpleName() + "." + child.getElementName();
                if (!slot.values(element).equals(child.getAccessor().getValues(element))) {
                    disagreements.add(where + " (empty)");
                }
                if (addValue(child, element)) {
                    populated++;
                    List<? extends IBase> expected = child.getAccessor().getValues(element);
                    List<? extends IBase> actual = slot.values(element);
                    // Base does not override equals: the same objects in the same order.
                    if (expected.isEmpty() || !actual.equals(expected)) {
                        disagreements.add(where + " (with a value)");
                    }
                }
            }
        }
        assertThat(disagreements).isEmpty();
        assertThat(slots).isGreaterThan(5_000);
        assertThat(populated).as("children given a value").isGreaterThan(slots * 95 / 100);
        assertThat(direct).as("children read directly").isGreaterThan(slots * 95 / 100);
    }

    private static BaseRuntimeElementDefinition<?> definitionOf(Class<?> type) {
        try {
            return R4.getElementDefinition(type.asSubclass(IBase.class));
        } catch (ConfigurationException e) {
            return null; // model classes HAPI does not register (SidType and the like)
        }
    }

    /** Sets one value of the child's first allowed type through HAPI's mutator; false where that cannot be done. */
    private static boolean addValue(BaseRuntimeChildDefinition child, IBase element) {
        try {
            String name = child.getValidChildNames().iterator().next();
            BaseRuntimeElementDefinition<?> valueDefinition = child.getChildByName(name);
            if (valueDefinition == null) {
                return false;
            }
            Object value = CanonicalFhirJsonClassTestsTest.newInstance(valueDefinition.getImplementingClass());
            if (value == null) {
                return false;
            }
            child.getMutator().addValue(element, (IBase) value);
            return true;
        } catch (RuntimeException e) {
            return false; // abstract value types (Resource, Type), children HAPI does not let one set this way
        }
    }
}
