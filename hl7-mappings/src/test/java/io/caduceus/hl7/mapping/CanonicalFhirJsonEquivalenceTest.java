package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.core.json.JsonException;
import io.caduceus.hl7.v2.Hl7ParseException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Base64BinaryType;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UriType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The direct canonical writer must give exactly the bytes of HAPI's JSON encoder followed by the canonicalizer, the
 * encoding the goldens and every stored digest were made with.
 */
class CanonicalFhirJsonEquivalenceTest {
    private static final CanonicalFhirJson DIRECT = new CanonicalFhirJson(FhirContext.forR4Cached());

    @ParameterizedTest(name = "{0}")
    @FieldSource("io.caduceus.hl7.mapping.Fixtures#MESSAGES")
    void fixturesEncodeIdenticallyWithoutFallingBack(String name) throws Exception {
        MappingResult result = Fixtures.mapper().map(Fixtures.message(name));
        assertSameBytesWithoutFallback(result.bundle());
        assertThat(result.canonicalJson()).isEqualTo(Hl7ToFhirMapper.canonicalJsonThroughHapi(result.bundle()));
    }

    @Test
    void mutatedFixturesEncodeIdentically() {
        Random random = new Random(0x5EEDCADL);
        int mapped = 0;
        int rejected = 0;
        int canonicalizerRejected = 0;
        for (int i = 0; i < 4000; i++) {
            String name = Fixtures.MESSAGES.get(random.nextInt(Fixtures.MESSAGES.size()));
            String message = new String(Fixtures.message(name), StandardCharsets.UTF_8);
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                message = Mutator.mutate(message, random);
            }
            MappingResult result;
            try {
                result = Fixtures.mapper().map(message.getBytes(StandardCharsets.UTF_8));
            } catch (Hl7ParseException | UnsupportedMessageException | MappingException e) {
                rejected++;
                continue;
            } catch (JsonException e) {
                // A decimal beyond the double range: the canonicalizer rejects HAPI's JSON, so the direct writer
                // refused and the fallback failed as the HAPI path always has.
                canonicalizerRejected++;
                continue;
            }
            mapped++;
            byte[] reference = Hl7ToFhirMapper.canonicalJsonThroughHapi(result.bundle());
            assertThat(new String(DIRECT.encode(result.bundle()), StandardCharsets.UTF_8))
                    .as("mutant %d of %s:%n%s", i, name, message.replace('\r', '\n'))
                    .isEqualTo(new String(reference, StandardCharsets.UTF_8));
            assertThat(result.canonicalJson()).isEqualTo(reference);
        }
        // The mutations must leave most messages mappable, else this test would prove little.
        assertThat(mapped).as("mapped %d, rejected %d, canonicalizer rejected %d", mapped, rejected,
                canonicalizerRejected).isGreaterThan(2000);
    }

    @Test
    void emptyAndNearlyEmptyCompositesAreSkippedOrWrittenAsHapiDoes() {
        Patient patient = new Patient();
        patient.setId("p-empty");
        patient.addName(); // empty: skipped
        patient.addName().setFamily("Doe");
        patient.addName().setText("   "); // blank text only: empty too
        patient.addIdentifier().setType(new CodeableConcept()).setPeriod(new Period()); // only empty composites
        patient.addIdentifier().setValue("MRN1").setPeriod(new Period());
        // Not empty for HAPI (the extension has a url) although nothing of it is written as a child: "{}".
        Coding urlOnly = new Coding();
        urlOnly.addExtension(new Extension("urn:ext:url-only"));
        patient.addIdentifier().setValue("MRN2").setType(new CodeableConcept().addCoding(urlOnly));
        Address address = patient.addAddress();
        address.setPeriod(new Period());
        address.addExtension(new Extension()); // neither url nor value
        patient.addAddress().setCity("Springfield").setPeriod(new Period().setStartElement(new DateTimeType()));
        patient.addContact().setName(new HumanName()).addTelecom(new ContactPoint());
        patient.addContact().setGender(Enumerations.AdministrativeGender.OTHER).setName(new HumanName());
        patient.setMaritalStatus(new CodeableConcept().addCoding(new Coding()).addCoding(new Coding().setCode("M")));
        patient.setManagingOrganization(new Reference());
        Bundle bundle = new Bundle();
        bundle.setType(Bundle.BundleType.COLLECTION);
        bundle.addEntry().setResource(patient).setFullUrl("Patient/p-empty");
        bundle.addEntry(); // no resource, nothing else: skipped
        bundle.addEntry().setResource(new Observation().setStatus(Observation.ObservationStatus.FINAL).setId("o1"))
                .setRequest(new Bundle.BundleEntryRequestComponent());
        assertSameBytesWithoutFallback(patient);
        assertSameBytesWithoutFallback(bundle);
    }

    @Test
    void extensionsOnPrimitivesAndRepeatingPrimitives() {
        Patient patient = new Patient();
        patient.setId("p1");
        patient.getIdElement().addExtension(new Extension("urn:ext:on-id", new StringType("id-ext")));
        HumanName name = patient.addName().setFamily("Doe");
        name.addGiven("Alpha");
        StringType beta = name.addGivenElement();
        beta.setValue("Beta");
        beta.addExtension(new Extension("urn:ext:given", new CodeableConcept().setText("cc")));
        beta.setId("given-2");
        name.addGiven("Gamma");
        StringType blankWithExtension = name.addGivenElement();
        blankWithExtension.addExtension(new Extension("urn:ext:blank", new BooleanType(true)));
        StringType onlyId = name.addGivenElement();
        onlyId.setValue("Delta");
        onlyId.setId("only-id");
        name.addPrefix("Dr.");
        StringType prefixWithId = name.addPrefixElement();
        prefixWithId.setValue("Prof.");
        prefixWithId.setId("id-without-any-extension-is-dropped");
        DateType birthDate = new DateType("1970-01-01");
        birthDate.addExtension(new Extension("urn:ext:birth-time", new DateTimeType("1970-01-01T05:06:07+01:00")));
        birthDate.addExtension(new Extension("urn:ext:url-only"));
        patient.setBirthDateElement(birthDate);
        patient.setGender(Enumerations.AdministrativeGender.FEMALE);
        patient.getGenderElement().addExtension(new Extension("urn:ext:gender", new StringType("f")));
        patient.setActive(true);
        patient.setMultipleBirth(new IntegerType(2));
        Extension nested = new Extension("urn:ext:nested");
        nested.addExtension(new Extension("urn:ext:inner-a", new StringType("a\u00e9\u4e2d\ud83d\ude00\u2028\"\\\n\t\u0001")));
        nested.addExtension(new Extension("urn:ext:inner-b", new DecimalType("1.50")));
        nested.addExtension(new Extension("urn:ext:inner-empty"));
        StringType valueWithExtension = new StringType("v");
        valueWithExtension.addExtension(new Extension("urn:ext:on-value", new StringType("x")));
        nested.addExtension(new Extension("urn:ext:inner-c", valueWithExtension));
        nested.setId("ext-id");
        patient.addExtension(nested);
        patient.addExtension(new Extension("urn:ext:skipped-url-only"));
        patient.addModifierExtension(new Extension("urn:ext:modifier", new BooleanType(false)));
        patient.addModifierExtension(new Extension("urn:ext:modifier-url-only"));
        patient.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("+1 555")
                .setPeriod(new Period().setStartElement(new DateTimeType("2020-02-29")));
        Address address = patient.addAddress();
        address.setId("addr-1");
        address.addLine("Line 1").addLine("Line 2");
        address.getLine().get(1).addExtension(new Extension("urn:ext:line", new IntegerType(-7)));
        address.addExtension(new Extension("urn:ext:address", new UriType("urn:x")));
        patient.addIdentifier(new Identifier().setSystem("urn:sys").setValue("   "));
        patient.getMeta().addTag("urn:tags", "t1", "Tag");
        patient.getMeta().addProfile("http://example.org/profile")
                .setLastUpdatedElement(new InstantType("2024-01-01T00:00:00.123Z"));
        Narrative narrative = new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED);
        narrative.setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Doe &amp; <b>sons</b></p></div>");
        patient.setText(narrative);
        patient.addPhoto().setData("photo".getBytes(StandardCharsets.UTF_8)).setContentType("image/png");
        assertSameBytesWithoutFallback(patient);
        assertSameBytesWithoutFallback(new Bundle().setType(Bundle.BundleType.COLLECTION)
                .addEntry(new Bundle.BundleEntryComponent().setFullUrl("urn:uuid:x").setResource(patient)));
    }

    @Test
    void containedResourcesAndReferences() {
        Observation observation = new Observation();
        observation.setId("obs-1");
        Practitioner practitioner = new Practitioner();
        practitioner.setId("pr1");
        practitioner.addName().setFamily("Who");
        practitioner.getMeta().setVersionId("3").setLastUpdatedElement(new InstantType("2024-01-01T00:00:00Z"))
                .addSecurity(new Coding("urn:sec", "R", null));
        practitioner.addExtension(new Extension("urn:ext:in-contained",
                new Reference("Patient/123").setDisplay("shown")));
        Organization organization = new Organization();
        organization.setId("org1");
        organization.setName("Acme");
        observation.addContained(practitioner);
        observation.addContained(organization);
        observation.addPerformer(new Reference("#pr1"));
        observation.addPerformer(new Reference("#org1").setDisplay("Acme"));
        observation.setSubject(new Reference().setIdentifier(new Identifier().setValue("MRN")).setDisplay("D"));
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.setCode(new CodeableConcept(new Coding("http://loinc.org", "2951-2", "Sodium")));
        observation.setValue(new Quantity().setValueElement(new DecimalType("141.00")).setUnit("mmol/L"));
        observation.addReferenceRange().setLow(new Quantity().setValueElement(new DecimalType("-0")))
                .setHigh(new Quantity().setValueElement(new DecimalType("1e3")));
        for (String decimal : List.of("0.000001", "123456789012345678901234567890", "1E-7", "-12.340", "0.1", "1e21",
                "1e-7", "100", "5E+2", "0.30000000000000004")) {
            observation.addExtension(new Extension("urn:ext:decimal", new DecimalTypeHolder().value(decimal)));
        }
        observation.addComponent().setValue(new IntegerType(0));
        observation.addComponent().setValue(new IntegerType(Integer.MIN_VALUE));
        observation.addComponent().setValue(new BooleanType(false));
        observation.addComponent().setValue(new StringType("text"));
        observation.addNote().setText("note");
        assertSameBytesWithoutFallback(observation);
        Bundle bundle = new Bundle();
        bundle.setId("b1");
        bundle.setType(Bundle.BundleType.COLLECTION);
        bundle.addEntry().setFullUrl("urn:uuid:obs-1").setResource(observation);
        bundle.addEntry().setFullUrl("http://example.org/Patient/9").setResource(new Patient().setActive(false));
        bundle.setTimestampElement(new InstantType("2024-03-06T09:15:00+01:00"));
        bundle.setSignature(null);
        assertSameBytesWithoutFallback(bundle);
        Parameters parameters = new Parameters();
        parameters.addParameter().setName("bin").setValue(new Base64BinaryType("AAEC"));
        parameters.addParameter().setName("res").setResource(new Patient().setActive(true));
        assertSameBytesWithoutFallback(parameters);
    }

    @Test
    void refusesWhatItDoesNotReproduceAndTheMapperFallsBack() {
        Observation leadingZero = new Observation();
        leadingZero.setValue(new Quantity().setValueElement(new DecimalTypeHolder().value("007")));
        assertThatThrownBy(() -> DIRECT.encode(leadingZero)).isInstanceOf(CanonicalFhirJson.Unsupported.class);
        // Through HAPI the same resource fails the canonicalizer, so refusing is the only equivalent answer.
        assertThatThrownBy(() -> Hl7ToFhirMapper.canonicalJsonThroughHapi(leadingZero))
                .isInstanceOf(JsonException.class);

        Observation holdsResource = new Observation();
        holdsResource.setSubject(new Reference(new Patient().setActive(true)));
        assertThatThrownBy(() -> DIRECT.encode(holdsResource)).isInstanceOf(CanonicalFhirJson.Unsupported.class);

        Observation versioned = new Observation();
        versioned.setSubject(new Reference("Patient/1/_history/2"));
        assertThatThrownBy(() -> DIRECT.encode(versioned)).isInstanceOf(CanonicalFhirJson.Unsupported.class);

        Patient loneSurrogate = new Patient();
        loneSurrogate.addName().setFamily("\ud800x");
        assertThatThrownBy(() -> DIRECT.encode(loneSurrogate)).isInstanceOf(CanonicalFhirJson.Unsupported.class);

        // HAPI's encoder rewrites such a reference from the resource it holds; the mapper's fallback does the same.
        java.util.function.Supplier<Bundle> holdingBundle = () -> {
            Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
            Observation target = new Observation().setStatus(Observation.ObservationStatus.FINAL);
            target.setId("t1");
            bundle.addEntry().setFullUrl("urn:uuid:1")
                    .setResource(new Observation().setSubject(new Reference(target)));
            return bundle;
        };
        assertThat(new String(Hl7ToFhirMapper.canonicalJson(holdingBundle.get()), StandardCharsets.UTF_8))
                .contains("Observation/t1")
                .isEqualTo(new String(Hl7ToFhirMapper.canonicalJsonThroughHapi(holdingBundle.get()),
                        StandardCharsets.UTF_8));
    }

    private static void assertSameBytesWithoutFallback(Resource resource) {
        byte[] direct = DIRECT.encode(resource);
        byte[] reference = Hl7ToFhirMapper.canonicalJsonThroughHapi(resource);
        assertThat(new String(direct, StandardCharsets.UTF_8)).isEqualTo(new String(reference, StandardCharsets.UTF_8));
    }

    /** Builds decimals from text, keeping that text as HAPI would when parsing it. */
    private static final class DecimalTypeHolder {
        DecimalType value(String text) {
            DecimalType decimal = new DecimalType();
            decimal.setValueAsString(text);
            return decimal;
        }
    }

    /** Structure-aware edits of an HL7 v2 message: fields, components, repetitions, escapes, segments. */
    static final class Mutator {
        private static final String[] ODD_VALUES = {"1.50", "-0", "1e3", "007", " 12 ", "+5", "-1.0E-3", "0.1",
            "1E400", "99999999999999999999", "0.000000123", "2", "-", ".5", "5.", "3.5-5.1", ">10", "<=0.3", "Y", "N",
            "20240229", "2024", "202402", "20240230", "20240101120000.1234+0530", "19000101", "99991231235959",
            "20240306091500-1200", "2024030609", "202403060915", "T", "", "\"\"", "\\F\\", "\\S\\", "\\T\\",
            "\\R\\", "\\E\\", "\\X0D\\", "\\X0A\\", "\\.br\\", "\u00e9\u00e8", "\u4e2d\u6587", "\ud83d\ude00",
            "\u2028", "tab\there", "ISO", "UUID", "URI", "L", "MR", "F", "M", "U", "H", "urn:x"};

        static String mutate(String message, Random random) {
            List<String> segments = new ArrayList<>(Arrays.asList(message.split("\r", -1)));
            segments.removeIf(String::isEmpty);
            int index = 1 + random.nextInt(Math.max(1, segments.size() - 1));
            if (index >= segments.size()) {
                return message;
            }
            String segment = segments.get(index);
            switch (random.nextInt(10)) {
                case 0 -> segments.add(index, segment); // repeated segment
                case 1 -> segments.set(index, editField(segment, random, FieldEdit.SWAP));
                case 2 -> segments.set(index, editField(segment, random, FieldEdit.DUPLICATE));
                case 3 -> segments.set(index, editField(segment, random, FieldEdit.DROP));
                case 4 -> segments.set(index, editField(segment, random, FieldEdit.EMPTY));
                case 5 -> segments.set(index, editField(segment, random, FieldEdit.LONG));
                case 6, 7, 8 -> segments.set(index, editField(segment, random, FieldEdit.ODD_VALUE));
                default -> segments.set(index, editField(segment, random, FieldEdit.COMPONENT));
            }
            return String.join("\r", segments) + "\r";
        }

        private enum FieldEdit { SWAP, DUPLICATE, DROP, EMPTY, LONG, ODD_VALUE, COMPONENT }

        private static String editField(String segment, Random random, FieldEdit edit) {
            List<String> fields = new ArrayList<>(Arrays.asList(segment.split("\\|", -1)));
            if (fields.size() < 2) {
                return segment;
            }
            int f = 1 + random.nextInt(fields.size() - 1);
            switch (edit) {
                case SWAP -> {
                    int g = 1 + random.nextInt(fields.size() - 1);
                    String t = fields.get(f);
                    fields.set(f, fields.get(g));
                    fields.set(g, t);
                }
                case DUPLICATE -> fields.set(f, fields.get(f) + "~" + fields.get(f));
                case DROP -> fields.remove(f);
                case EMPTY -> fields.set(f, "");
                case LONG -> fields.set(f, fields.get(f) + "x".repeat(200 + random.nextInt(2000)));
                case ODD_VALUE -> fields.set(f, oddComponent(fields.get(f), random));
                case COMPONENT -> {
                    List<String> components = new ArrayList<>(Arrays.asList(fields.get(f).split("\\^", -1)));
                    int c = random.nextInt(components.size());
                    switch (random.nextInt(3)) {
                        case 0 -> components.add(c, components.get(c));
                        case 1 -> {
                            if (components.size() > 1) {
                                components.remove(c);
                            }
                        }
                        default -> {
                            int d = random.nextInt(components.size());
                            String t = components.get(c);
                            components.set(c, components.get(d));
                            components.set(d, t);
                        }
                    }
                    fields.set(f, String.join("^", components));
                }
                default -> throw new AssertionError(edit);
            }
            return String.join("|", fields);
        }

        private static String oddComponent(String field, Random random) {
            String odd = ODD_VALUES[random.nextInt(ODD_VALUES.length)];
            List<String> components = new ArrayList<>(Arrays.asList(field.split("\\^", -1)));
            int c = random.nextInt(components.size());
            String current = components.get(c);
            components.set(c, switch (random.nextInt(3)) {
                case 0 -> odd;
                case 1 -> current + odd;
                default -> current.isEmpty() ? odd : current.substring(0, random.nextInt(current.length())) + odd;
            });
            return String.join("^", components);
        }
    }
}
