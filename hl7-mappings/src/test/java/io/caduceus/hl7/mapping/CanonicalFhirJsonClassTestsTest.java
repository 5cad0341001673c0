package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseHasExtensions;
import org.hl7.fhir.instance.model.api.IBaseHasModifierExtensions;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

/**
 * The direct writer tells R4 objects apart by class instead of by HAPI's interfaces, for speed. This holds it to the
 * interfaces for every concrete type of the R4 model (datatypes, resources and their backbone elements): a type that
 * can carry extensions or modifier extensions must have them found, and no other type may.
 */
class CanonicalFhirJsonClassTestsTest {

    @Test
    void classTestsAgreeWithHapisInterfacesForEveryR4ModelType() throws Exception {
        List<Class<?>> types = concreteR4ModelTypes();
        assertThat(types).hasSizeGreaterThan(600); // resources, datatypes and their nested backbone classes

        List<String> disagreements = new ArrayList<>();
        int withExtensions = 0;
        int withModifiers = 0;
        for (Class<?> type : types) {
            IBase instance = (IBase) newInstance(type);
            if (instance == null) {
                continue;
            }
            boolean canHaveExtensions = instance instanceof IBaseHasExtensions;
            boolean canHaveModifiers = instance instanceof IBaseHasModifierExtensions;
            if (canHaveExtensions) {
                ((IBaseHasExtensions) instance).addExtension().setUrl("urn:test:extension");
                withExtensions++;
            }
            if (canHaveModifiers) {
                ((IBaseHasModifierExtensions) instance).addModifierExtension().setUrl("urn:test:modifier");
                withModifiers++;
            }
            if (FhirElements.extensionsOf(instance).size() != (canHaveExtensions ? 1 : 0)) {
                disagreements.add(type.getName() + ": extensions");
            }
            if (FhirElements.modifierExtensionsOf(instance).size() != (canHaveModifiers ? 1 : 0)) {
                disagreements.add(type.getName() + ": modifier extensions");
            }
        }
        assertThat(disagreements).isEmpty();
        assertThat(withExtensions).as("types with extensions").isGreaterThan(600);
        assertThat(withModifiers).as("types with modifier extensions").isGreaterThan(500);
    }

    static Object newInstance(Class<?> type) {
        try {
            Constructor<?> constructor = type.getDeclaredConstructor();
            if (!Modifier.isPublic(constructor.getModifiers())) {
                return null;
            }
            return constructor.newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // enumerations' factories, types without a no-argument constructor
        }
    }

    static List<Class<?>> concreteR4ModelTypes() throws IOException, URISyntaxException {
        Path jar = Path.of(Patient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> types = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (var entry : Collections.list(file.entries())) {
                String name = entry.getName();
                if (!name.startsWith("org/hl7/fhir/r4/model/") || !name.endsWith(".class")
                        || name.indexOf('/', "org/hl7/fhir/r4/model/".length()) >= 0) {
                    continue;
                }
                Class<?> type;
                try {
                    type = Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false,
                            Patient.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    continue;
                }
                if (IBase.class.isAssignableFrom(type) && !type.isInterface() && !Modifier.isAbstract(type.getModifiers())) {
                    types.add(type);
                }
            }
        }
        return types;
    }
}
