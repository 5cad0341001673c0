package io.caduceus.edge.fhir;

/** FHIR test content. The family name is a canary: finding it outside the vault is a leak. */
final class FhirSamples {

    static final String CANARY = "Zzyzxcanary";

    private FhirSamples() {
    }

    static String patient(String mrn) {
        return "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:oid:1.2.36.146.595.217.0.1\",\"value\":\"" + mrn
                + "\"}],\"name\":[{\"family\":\"" + CANARY + "\",\"given\":[\"Ann\"]}],\"gender\":\"female\",\"birthDate\":\"1970-01-01\"}";
    }

    static String patientXml(String mrn) {
        return "<Patient xmlns=\"http://hl7.org/fhir\"><identifier><system value=\"urn:oid:1.2.36.146.595.217.0.1\"/><value value=\""
                + mrn + "\"/></identifier><name><family value=\"" + CANARY + "\"/></name><gender value=\"male\"/></Patient>";
    }

    /** A transaction of one Patient and {@code observations} Observations about it. */
    static String transaction(String mrn, int observations) {
        StringBuilder b = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
        b.append("{\"fullUrl\":\"urn:uuid:6f1c0b1e-0000-4000-8000-000000000000\",\"resource\":").append(patient(mrn))
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
