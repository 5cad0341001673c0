package org.hl7.fhir.utilities;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Caduceus's OIDUtilities answers exactly as the library's, which is loaded here apart from the class path (from its
 * own jar, in a class loader of its own), and is the one the validator gets.
 */
class OIDUtilitiesTest {

    private static URLClassLoader libraryLoader;
    private static Class<?> library;
    private static Object libraryInstance;

    @BeforeAll
    static void loadTheLibrarysOwnClass() throws Exception {
        URL jar = null;
        for (URL url : Collections.list(OIDUtilities.class.getClassLoader().getResources("org/hl7/fhir/utilities/OIDUtilities.class"))) {
            if (url.getProtocol().equals("jar") && url.getPath().contains("org.hl7.fhir.utilities")) {
                jar = new URL(url.getPath().substring(0, url.getPath().indexOf("!/")));
            }
        }
        assertThat(jar).as("org.hl7.fhir.utilities's jar on the class path").isNotNull();
        libraryLoader = new URLClassLoader(new URL[] {jar}, ClassLoader.getPlatformClassLoader());
        library = libraryLoader.loadClass("org.hl7.fhir.utilities.OIDUtilities");
        libraryInstance = library.getConstructor().newInstance();
    }

    @AfterAll
    static void close() throws Exception {
        libraryLoader.close();
    }

    @Test
    void thisClassIsTheOneTheValidatorLoads() {
        assertThat(library).isNotSameAs(OIDUtilities.class);
        String location = OIDUtilities.class.getProtectionDomain().getCodeSource().getLocation().toString();
        assertThat(location).as("where OIDUtilities was loaded from").doesNotContain("org.hl7.fhir.utilities");
    }

    @Test
    void everyOidOfTheRegistryAndOthersAreKnownOrNotAsTheLibrarySays() throws Exception {
        List<String> oids = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                libraryLoader.getResourceAsStream("oidregistry.csv")))) {
            reader.lines().skip(1).map(l -> l.split(",")[0].trim()).forEach(oids::add);
        }
        assertThat(oids).hasSizeGreaterThan(1_000);
        oids.addAll(List.of("2.16.840.1.113883.6.96", "1.2.3.4.5.6.7.8.9.999999", "not an oid", ""));
        Method known = library.getMethod("isKnownOID", String.class);
        OIDUtilities ours = new OIDUtilities();
        int knownCount = 0;
        for (String oid : oids) {
            for (String url : List.of("urn:oid:" + oid, oid)) {
                boolean expected = (boolean) known.invoke(libraryInstance, url);
                assertThat(ours.isKnownOID(url)).as(url).isEqualTo(expected);
                knownCount += expected ? 1 : 0;
            }
        }
        assertThat(knownCount).isGreaterThan(1_000);
        assertThat(ours.isKnownOID(null)).isEqualTo(known.invoke(libraryInstance, (Object) null));
    }

    @Test
    void theStaticHelpersAnswerAsTheLibrarys() throws Exception {
        List<String> inputs = List.of("2.16.840.1.113883.6.96", "2.16.840.1.113883.6.1", "2.16.840.1.113883.6.8",
                "2.16.840.1.113883.6.3", "2.16.840.1.113883.6.42", "2.16.840.1.113883.6.104", "2.16.840.1.113883.6.103",
                "2.16.840.1.113883.6.73", "2.16.840.1.113883.3.26.1.1", "2.16.840.1.113883.3.26.1.1.1",
                "2.16.840.1.113883.6.88", "2.16.840.1.113883.6.59", "2.16.840.1.113883.12.292", "2.16.840.1.113883.6.12",
                "2.16.840.1.113883.6.13", "1.2.36.146.595.217.0.1", "3.1", "1.02", "abc", "", "1");
        for (String input : inputs) {
            assertThat(OIDUtilities.getUriForOid(input)).as(input).isEqualTo(library.getMethod("getUriForOid", String.class).invoke(null, input));
            assertThat(OIDUtilities.oidTail(input)).as(input).isEqualTo(library.getMethod("oidTail", String.class).invoke(null, input));
            assertThat(OIDUtilities.oidRoot(input)).as(input).isEqualTo(library.getMethod("oidRoot", String.class).invoke(null, input));
            assertThat(OIDUtilities.isValidOID(input)).as(input).isEqualTo(library.getMethod("isValidOID", String.class).invoke(null, input));
        }
        assertThat(OIDUtilities.getUriForOid(null)).isNull();
        assertThat(OIDUtilities.oidTail(null)).isNull();
        assertThat(OIDUtilities.oidRoot(null)).isNull();
    }

    @Test
    void aRowPrintsAsTheLibrarysDoes() throws Exception {
        OIDUtilities.OIDInfo info = new OIDUtilities.OIDInfo();
        info.setOid("1.2.3");
        info.setName("n");
        info.setCodeSystem("http://x");
        info.setType(3);
        Class<?> libraryInfo = libraryLoader.loadClass("org.hl7.fhir.utilities.OIDUtilities$OIDInfo");
        Object theirs = libraryInfo.getConstructor().newInstance();
        libraryInfo.getMethod("setOid", String.class).invoke(theirs, "1.2.3");
        libraryInfo.getMethod("setName", String.class).invoke(theirs, "n");
        libraryInfo.getMethod("setCodeSystem", String.class).invoke(theirs, "http://x");
        libraryInfo.getMethod("setType", Integer.class).invoke(theirs, 3);

        assertThat(info.toString()).isEqualTo(theirs.toString());
    }
}
