package org.hl7.fhir.utilities;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.util.HashMap;
import java.util.Map;
import org.hl7.fhir.exceptions.FHIRException;

/**
 * Caduceus's stand-in for org.hl7.fhir.utilities 6.6.7's class of the same name, found first on the class path
 * (the application's own classes come before its libraries), with the same public interface and the same answers.
 *
 * <p>Why: HAPI builds a new {@code InstanceValidator} for every validation, and the library's constructor of this
 * class parses its OID registry ({@code oidregistry.csv}, 1.5 MB, about 15,000 lines) each time: a third of the
 * middleware's CPU under FHIR load went there, and as much garbage. Here the same file is parsed the same way once,
 * into a map no one writes to afterwards, shared by every validator. {@code OIDUtilitiesTest} compares every answer
 * with the library's own class loaded apart, and fails if this class stops being the one loaded; keep both in step
 * when org.hl7.fhir.core is upgraded (or drop this class once the library shares its registry itself).
 */
public class OIDUtilities {

    private static final String OID_REGEX = "[0-2](\\.(0|[1-9][0-9]*))+";

    /** One row of the registry. */
    public static class OIDInfo {
        private String oid;
        private String name;
        private String codeSystem;
        private Integer type;

        public String getOid() {
            return oid;
        }

        public void setOid(String oid) {
            this.oid = oid;
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public String getCodeSystem() {
            return codeSystem;
        }

        public void setCodeSystem(String codeSystem) {
            this.codeSystem = codeSystem;
        }

        public Integer getType() {
            return type;
        }

        public void setType(Integer type) {
            this.type = type;
        }

        @Override
        public String toString() {
            return "OID: " + oid + ", Name: " + name + ", CodeSystem: " + codeSystem + ", Type: " + type;
        }
    }

    /** Parsed on first use; a registry that cannot be read fails every construction, as the library's does. */
    private static final class Registry {
        static final Map<String, OIDInfo> OIDS;
        static final FHIRException FAILURE;

        static {
            Map<String, OIDInfo> oids = new HashMap<>();
            FHIRException failure = null;
            try {
                load(oids);
            } catch (Exception e) {
                failure = new FHIRException(e);
            }
            OIDS = failure == null ? oids : Map.of();
            FAILURE = failure;
        }

        /** The library's reading exactly: platform charset, header skipped, rows of fewer than 4 fields ignored. */
        private static void load(Map<String, OIDInfo> oids) throws Exception {
            try (InputStream in = OIDUtilities.class.getClassLoader().getResourceAsStream("oidregistry.csv");
                    BufferedReader reader = new BufferedReader(new InputStreamReader(in))) {
                String line;
                boolean header = true;
                while ((line = reader.readLine()) != null) {
                    if (header) {
                        header = false;
                        continue;
                    }
                    String[] parts = line.split(",");
                    if (parts.length >= 4) {
                        OIDInfo info = new OIDInfo();
                        info.setOid(parts[0].trim());
                        info.setType(Integer.parseInt(parts[1].trim()));
                        info.setName(parts[2].trim());
                        info.setCodeSystem(parts[3].trim());
                        oids.put(info.getOid(), info);
                    }
                }
            }
        }
    }

    private final Map<String, OIDInfo> oidMap;

    public OIDUtilities() {
        if (Registry.FAILURE != null) {
            throw Registry.FAILURE;
        }
        this.oidMap = Registry.OIDS;
    }

    public static String getUriForOid(String r) {
        if (r == null) {
            return null;
        }
        return switch (r) {
            case "2.16.840.1.113883.6.96" -> "http://snomed.info/sct";
            case "2.16.840.1.113883.6.1" -> "http://loinc.org";
            case "2.16.840.1.113883.6.8" -> "http://unitsofmeasure.org";
            case "2.16.840.1.113883.6.3" -> "http://hl7.org/fhir/sid/icd-10";
            case "2.16.840.1.113883.6.42", "2.16.840.1.113883.6.104", "2.16.840.1.113883.6.103" -> "http://hl7.org/fhir/sid/icd-9";
            case "2.16.840.1.113883.6.73" -> "http://www.whocc.no/atc";
            case "2.16.840.1.113883.3.26.1.1", "2.16.840.1.113883.3.26.1.1.1" -> "http://ncimeta.nci.nih.gov";
            case "2.16.840.1.113883.6.88" -> "http://www.nlm.nih.gov/research/umls/rxnorm";
            case "2.16.840.1.113883.6.59", "2.16.840.1.113883.12.292" -> "http://hl7.org/fhir/sid/cvx";
            case "2.16.840.1.113883.6.12" -> "http://www.ama-assn.org/go/cpt";
            default -> null;
        };
    }

    public static String oidTail(String id) {
        if (id == null || !id.contains(".")) {
            return id;
        }
        return id.substring(id.lastIndexOf(".") + 1);
    }

    public static String oidRoot(String id) {
        if (id == null || !id.contains(".")) {
            return id;
        }
        return id.substring(0, id.indexOf("."));
    }

    public static boolean isValidOID(String oid) {
        return oid.matches(OID_REGEX);
    }

    public boolean isKnownOID(String url) {
        if (url == null || !url.startsWith("urn:oid:")) {
            return false;
        }
        return oidMap.containsKey(url.substring(8));
    }
}
