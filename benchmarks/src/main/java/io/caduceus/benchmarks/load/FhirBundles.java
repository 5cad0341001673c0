package io.caduceus.benchmarks.load;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Synthetic but realistic FHIR R4 transaction bundles for the FHIR load: a Patient out of 10,000 (so the vault sees
 * many patients' data keys), the Encounter it is seen in, then vital signs and lab Observations, a Condition, an
 * AllergyIntolerance and a Procedure in turn, all pointing at the Patient (and Encounter) by {@code urn:uuid:}. Every
 * bundle has its own fullUrls, encounter identifier and values, so no bundle is a duplicate of another (identical
 * content from one client would be one record). Written as text, not with HAPI: the load tool's CPU comes out of the
 * machine being measured.
 */
public final class FhirBundles {

    static final int PATIENTS = 10_000;

    private static final String[] FAMILIES = {"Smith", "Garcia", "Müller", "Nguyen", "O'Brien", "Kowalski", "Rossi", "Haddad"};
    private static final String[] GIVEN = {"Alex", "Maria", "Jonas", "Linh", "Siobhan", "Piotr", "Giulia", "Omar"};

    /** LOINC code, display, UCUM unit, base value, spread, category. */
    private record Measure(String loinc, String display, String unit, double base, int spread, String category) {
    }

    private static final Measure[] MEASURES = {
            new Measure("8867-4", "Heart rate", "/min", 60, 40, "vital-signs"),
            new Measure("8310-5", "Body temperature", "Cel", 36.1, 3, "vital-signs"),
            new Measure("9279-1", "Respiratory rate", "/min", 12, 10, "vital-signs"),
            new Measure("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%", 92, 8, "vital-signs"),
            new Measure("8480-6", "Systolic blood pressure", "mm[Hg]", 100, 50, "vital-signs"),
            new Measure("29463-7", "Body weight", "kg", 50, 60, "vital-signs"),
            new Measure("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 70, 60, "laboratory"),
            new Measure("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 135, 10, "laboratory"),
            new Measure("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 11, 6, "laboratory"),
    };

    /** SNOMED CT code and display. */
    private static final String[][] CONDITIONS = {
            {"38341003", "Hypertensive disorder"}, {"44054006", "Diabetes mellitus type 2"},
            {"195967001", "Asthma"}, {"13645005", "Chronic obstructive lung disease"}};
    private static final String[][] ALLERGIES = {
            {"91936005", "Allergy to penicillin"}, {"300913006", "Shellfish allergy"}, {"418689008", "Allergy to grass pollen"}};
    private static final String[][] PROCEDURES = {
            {"73761001", "Colonoscopy"}, {"80146002", "Appendectomy"}, {"387713003", "Surgical procedure"}};

    private FhirBundles() {
    }

    /** The name of bundle {@code i} of a run: what the per-bundle log calls it. */
    static String bundleId(String runId, long i) {
        return runId + "-" + i;
    }

    /** The {@code urn:uuid:} of entry {@code entry} of bundle {@code i}: distinct across runs, bundles and entries. */
    static String fullUrl(String runId, long i, int entry) {
        return "urn:uuid:" + UUID.nameUUIDFromBytes((runId + "/" + i + "/" + entry).getBytes(StandardCharsets.UTF_8));
    }

    /** Bundle {@code i} of a run, of {@code resources} entries (at least 1: the Patient). */
    public static String bundle(String runId, long i, int resources) {
        if (resources < 1) {
            throw new IllegalArgumentException("a bundle needs at least one resource, the Patient");
        }
        long patient = Math.floorMod(i * 7919, PATIENTS);
        String patientUrl = fullUrl(runId, i, 0);
        String encounterUrl = fullUrl(runId, i, 1);
        String day = String.format("2026-%02d-%02d", 1 + (int) (i % 12), 1 + (int) (i % 28));
        String time = String.format("T%02d:%02d:00Z", (int) (i % 24), (int) (i % 60));
        StringBuilder b = new StringBuilder(1_024 * resources);
        b.append("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
        entry(b, patientUrl, "Patient", patient(patient));
        for (int e = 1; e < resources; e++) {
            b.append(',');
            String url = e == 1 ? encounterUrl : fullUrl(runId, i, e);
            String resource;
            if (e == 1) {
                resource = encounter(bundleId(runId, i), patientUrl, day + time, i);
            } else {
                // Of every 8 entries after the Encounter: a Condition, 5 Observations, an AllergyIntolerance, a Procedure.
                int kind = (e - 2) % 8;
                resource = kind == 0 ? condition(CONDITIONS[(int) ((i + e) % CONDITIONS.length)], patientUrl, encounterUrl, day)
                        : kind <= 5 ? observation(MEASURES[(int) ((e + i) % MEASURES.length)], patientUrl, encounterUrl, day + time, i + e)
                        : kind == 6 ? allergy(ALLERGIES[(int) ((i + e) % ALLERGIES.length)], patientUrl, day)
                        : procedure(PROCEDURES[(int) ((i + e) % PROCEDURES.length)], patientUrl, encounterUrl, day + time);
            }
            entry(b, url, type(resource), resource);
        }
        return b.append("]}").toString();
    }

    private static String type(String resource) {
        int start = "{\"resourceType\":\"".length();
        return resource.substring(start, resource.indexOf('"', start));
    }

    private static void entry(StringBuilder b, String fullUrl, String type, String resource) {
        b.append("{\"fullUrl\":\"").append(fullUrl).append("\",\"resource\":").append(resource)
                .append(",\"request\":{\"method\":\"POST\",\"url\":\"").append(type).append("\"}}");
    }

    private static String patient(long patient) {
        String family = FAMILIES[(int) (patient % FAMILIES.length)];
        String given = GIVEN[(int) ((patient / FAMILIES.length) % GIVEN.length)];
        return "{\"resourceType\":\"Patient\",\"identifier\":[{\"use\":\"usual\",\"type\":{\"coding\":[{\"system\":"
                + "\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":\"MR\"}]},\"system\":\"urn:oid:1.2.36.146.595.217.0.1\","
                + "\"value\":\"MRN" + patient + "\"}],\"active\":true,\"name\":[{\"use\":\"official\",\"family\":\"" + family
                + "\",\"given\":[\"" + given + "\"]}],\"telecom\":[{\"system\":\"phone\",\"value\":\"+1 217 555 " + String.format("%04d", patient)
                + "\",\"use\":\"home\"}],\"gender\":\"" + (patient % 2 == 0 ? "female" : "male") + "\",\"birthDate\":\""
                + (1940 + patient % 70) + "-" + String.format("%02d-%02d", 1 + patient % 12, 1 + patient % 28)
                + "\",\"address\":[{\"use\":\"home\",\"line\":[\"" + (1 + patient % 200) + " Main St\"],\"city\":\"Springfield\","
                + "\"state\":\"IL\",\"postalCode\":\"62701\",\"country\":\"USA\"}]}";
    }

    private static String encounter(String bundleId, String patientUrl, String at, long i) {
        boolean inpatient = i % 5 == 0;
        return "{\"resourceType\":\"Encounter\",\"identifier\":[{\"system\":\"urn:oid:1.2.36.146.595.217.0.2\",\"value\":\"ENC-"
                + bundleId + "\"}],\"status\":\"finished\",\"class\":{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\","
                + "\"code\":\"" + (inpatient ? "IMP" : "AMB") + "\",\"display\":\"" + (inpatient ? "inpatient encounter" : "ambulatory")
                + "\"},\"subject\":{\"reference\":\"" + patientUrl + "\"},\"period\":{\"start\":\"" + at + "\",\"end\":\"" + at + "\"}}";
    }

    private static String observation(Measure m, String patientUrl, String encounterUrl, String at, long seed) {
        String value = String.format(java.util.Locale.ROOT, "%.1f", m.base() + Math.floorMod(seed * 31, m.spread() * 10L) / 10.0);
        String category = m.category().equals("laboratory") ? "Laboratory" : "Vital Signs";
        return "{\"resourceType\":\"Observation\",\"status\":\"final\",\"category\":[{\"coding\":[{\"system\":"
                + "\"http://terminology.hl7.org/CodeSystem/observation-category\",\"code\":\"" + m.category() + "\",\"display\":\""
                + category + "\"}]}],\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"" + m.loinc()
                + "\",\"display\":\"" + m.display() + "\"}]},\"subject\":{\"reference\":\"" + patientUrl + "\"},"
                + (encounterUrl == null ? "" : "\"encounter\":{\"reference\":\"" + encounterUrl + "\"},")
                + "\"effectiveDateTime\":\"" + at + "\",\"valueQuantity\":{\"value\":" + value + ",\"unit\":\"" + m.unit()
                + "\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"" + m.unit() + "\"}}";
    }

    private static String condition(String[] code, String patientUrl, String encounterUrl, String day) {
        return "{\"resourceType\":\"Condition\",\"clinicalStatus\":{\"coding\":[{\"system\":"
                + "\"http://terminology.hl7.org/CodeSystem/condition-clinical\",\"code\":\"active\"}]},\"verificationStatus\":{\"coding\":"
                + "[{\"system\":\"http://terminology.hl7.org/CodeSystem/condition-ver-status\",\"code\":\"confirmed\"}]},\"category\":"
                + "[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/condition-category\",\"code\":\"problem-list-item\"}]}],"
                + "\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"" + code[0] + "\",\"display\":\"" + code[1]
                + "\"}]},\"subject\":{\"reference\":\"" + patientUrl + "\"},\"encounter\":{\"reference\":\"" + encounterUrl
                + "\"},\"recordedDate\":\"" + day + "\"}";
    }

    private static String allergy(String[] code, String patientUrl, String day) {
        return "{\"resourceType\":\"AllergyIntolerance\",\"clinicalStatus\":{\"coding\":[{\"system\":"
                + "\"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical\",\"code\":\"active\"}]},\"verificationStatus\":"
                + "{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/allergyintolerance-verification\",\"code\":\"confirmed\"}]},"
                + "\"type\":\"allergy\",\"criticality\":\"low\",\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\""
                + code[0] + "\",\"display\":\"" + code[1] + "\"}]},\"patient\":{\"reference\":\"" + patientUrl + "\"},\"recordedDate\":\""
                + day + "\"}";
    }

    private static String procedure(String[] code, String patientUrl, String encounterUrl, String at) {
        return "{\"resourceType\":\"Procedure\",\"status\":\"completed\",\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\","
                + "\"code\":\"" + code[0] + "\",\"display\":\"" + code[1] + "\"}]},\"subject\":{\"reference\":\"" + patientUrl
                + "\"},\"encounter\":{\"reference\":\"" + encounterUrl + "\"},\"performedDateTime\":\"" + at + "\"}";
    }
}
