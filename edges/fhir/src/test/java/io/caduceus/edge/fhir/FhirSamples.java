package io.caduceus.edge.fhir;

/**
 * FHIR test content, shared with the route tests and the integration tests (test-jar). The family name is a canary:
 * finding it outside the vault is a leak.
 */
public final class FhirSamples {

    public static final String CANARY = "Zzyzxcanary";

    private FhirSamples() {
    }

    public static String patient(String mrn) {
        return patient(mrn, CANARY);
    }

    /** A Patient with {@code mrn} and the family name {@code canary} (a test's own, to tell whose leak it is). */
    public static String patient(String mrn, String canary) {
        return "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:oid:1.2.36.146.595.217.0.1\",\"value\":\"" + mrn
                + "\"}],\"name\":[{\"family\":\"" + canary + "\",\"given\":[\"Ann\"]}],\"gender\":\"female\",\"birthDate\":\"1970-01-01\"}";
    }

    public static String patientXml(String mrn) {
        return "<Patient xmlns=\"http://hl7.org/fhir\"><identifier><system value=\"urn:oid:1.2.36.146.595.217.0.1\"/><value value=\""
                + mrn + "\"/></identifier><name><family value=\"" + CANARY + "\"/></name><gender value=\"male\"/></Patient>";
    }

    /** A transaction of one Patient and {@code observations} Observations about it. */
    public static String transaction(String mrn, int observations) {
        return transaction(mrn, observations, CANARY);
    }

    /** A transaction of one Patient (family name {@code canary}) and {@code observations} Observations about it. */
    public static String transaction(String mrn, int observations, String canary) {
        StringBuilder b = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
        b.append("{\"fullUrl\":\"urn:uuid:6f1c0b1e-0000-4000-8000-000000000000\",\"resource\":").append(patient(mrn, canary))
                .append(",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}");
        for (int i = 1; i <= observations; i++) {
            b.append(",{\"fullUrl\":\"urn:uuid:6f1c0b1e-0000-4000-8000-").append(String.format("%012d", i)).append("\",\"resource\":")
                    .append("{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\","
                            + "\"code\":\"8867-4\",\"display\":\"Heart rate\"}]},\"subject\":{\"reference\":\"urn:uuid:6f1c0b1e-0000-4000-8000-000000000000\"},"
                            + "\"effectiveDateTime\":\"2026-11-25T10:00:00Z\",\"valueQuantity\":{\"value\":")
                    .append(60 + i).append(",\"unit\":\"beats/minute\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}}")
                    .append(",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}");
        }
        return b.append("]}").toString();
    }
}
