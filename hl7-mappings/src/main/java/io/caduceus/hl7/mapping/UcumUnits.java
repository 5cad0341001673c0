package io.caduceus.hl7.mapping;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.fhir.ucum.UcumEssenceService;
import org.fhir.ucum.UcumException;

/**
 * Units as v2 senders write them turned into the case-sensitive UCUM codes FHIR requires when a Quantity names
 * {@code http://unitsofmeasure.org}. Senders that say "UCUM" often send UCUM's case-insensitive form ({@code MG/DL},
 * {@code MMOL/L}) or the usual pharmacy abbreviations ({@code mcg}, {@code cc}, {@code IU}); a unit that is still not
 * UCUM after that is no code at all (null), so a mapping keeps it as the Quantity's unit text only, never as a code
 * the FHIR validator refuses.
 */
final class UcumUnits {
    private static final UcumEssenceService UCUM = load();
    private static final Map<String, String> ABBREVIATIONS = Map.ofEntries(Map.entry("mcg", "ug"), Map.entry("cc", "mL"),
            Map.entry("iu", "[iU]"), Map.entry("units", "[iU]"), Map.entry("unit", "[iU]"), Map.entry("hrs", "h"),
            Map.entry("hr", "h"), Map.entry("gm", "g"), Map.entry("mls", "mL"), Map.entry("mcl", "uL"),
            Map.entry("mcg/ml", "ug/mL"), Map.entry("sec", "s"), Map.entry("min", "min"), Map.entry("mins", "min"),
            Map.entry("meq", "meq"), Map.entry("meq/l", "meq/L"), Map.entry("degc", "Cel"), Map.entry("degf", "[degF]"));
    /**
     * Answers already given, by the sender's text. UCUM's validator parses the unit afresh on every call, and a lab
     * feed repeats a few dozen units in every result; the bound keeps a feed of garbage units from growing it.
     */
    private static final int MAX_REMEMBERED = 4_096;
    private static final String NOT_UCUM = new String("not UCUM");
    private static final Map<String, String> REMEMBERED = new ConcurrentHashMap<>();

    private UcumUnits() {
    }

    private static UcumEssenceService load() {
        try (InputStream in = UcumEssenceService.class.getResourceAsStream("/ucum-essence.xml")) {
            if (in == null) {
                throw new IllegalStateException("ucum-essence.xml missing from the class path");
            }
            return new UcumEssenceService(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (UcumException e) {
            throw new IllegalStateException("cannot load UCUM definitions", e);
        }
    }

    /** The UCUM code for {@code text}, or null when it is not a unit this class can vouch for. */
    static String normalise(String text) {
        if (text == null) {
            return null;
        }
        String remembered = REMEMBERED.get(text);
        if (remembered != null) {
            return remembered == NOT_UCUM ? null : remembered;
        }
        String code = decide(text);
        if (REMEMBERED.size() < MAX_REMEMBERED) {
            REMEMBERED.putIfAbsent(text, code == null ? NOT_UCUM : code);
        }
        return code;
    }

    private static String decide(String text) {
        String unit = text.strip();
        if (unit.isEmpty()) {
            return null;
        }
        String lower = unit.toLowerCase(Locale.ROOT);
        String known = ABBREVIATIONS.get(lower);
        if (known != null) {
            return known;
        }
        // All capitals is UCUM's case-insensitive form (ML is millilitre there, megalitre in the case-sensitive one).
        boolean capitals = unit.length() > 1 && unit.equals(unit.toUpperCase(Locale.ROOT)) && !unit.equals(lower);
        if (capitals && valid(lower)) {
            return lower;
        }
        return valid(unit) ? unit : null;
    }

    private static boolean valid(String unit) {
        try {
            return UCUM.validate(unit) == null;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
