package io.caduceus.hl7.mapping;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Language codes as v2 senders write them (ISO 639-1 or 639-2 in any case, {@code en_US}, {@code EN-us}) turned into
 * the BCP-47 tags FHIR requires ({@code en}, {@code en-US}). Only what the JDK can vouch for is produced: an ISO 639-1
 * language, or a three-letter code the JDK maps to one; a region the JDK lists (or a UN M.49 number); a script some
 * JDK locale uses. Anything else is no language tag at all (null), so a mapping keeps it as text rather than write
 * a code the FHIR validator refuses. Three-letter codes without a two-letter equivalent (haw, fil) are among those:
 * the JDK has no list to tell them from invented ones.
 */
final class Bcp47Languages {

    /** ISO 639-1 codes, and ISO 639-2/T codes mapped to them. */
    private static final Map<String, String> LANGUAGES = new HashMap<>();
    private static final Set<String> REGIONS = Set.of(Locale.getISOCountries());
    private static final Set<String> SCRIPTS = new HashSet<>();

    static {
        for (String twoLetter : Locale.getISOLanguages()) {
            // The JDK lists the withdrawn iw, in and ji beside he, id and yi; BCP-47 prefers the current ones.
            Locale locale = new Locale(twoLetter);
            LANGUAGES.put(twoLetter, locale.getLanguage());
            String threeLetter = locale.getISO3Language();
            if (!threeLetter.isEmpty()) {
                LANGUAGES.putIfAbsent(threeLetter, locale.getLanguage());
            }
        }
        // ISO 639-2/B (bibliographic) codes, which library-derived v2 tables use; the JDK knows only the /T forms.
        String[][] bibliographic = {{"alb", "sq"}, {"arm", "hy"}, {"baq", "eu"}, {"bur", "my"}, {"chi", "zh"}, {"cze", "cs"},
            {"dut", "nl"}, {"fre", "fr"}, {"geo", "ka"}, {"ger", "de"}, {"gre", "el"}, {"ice", "is"}, {"mac", "mk"},
            {"mao", "mi"}, {"may", "ms"}, {"per", "fa"}, {"rum", "ro"}, {"slo", "sk"}, {"tib", "bo"}, {"wel", "cy"}};
        for (String[] code : bibliographic) {
            LANGUAGES.putIfAbsent(code[0], code[1]);
        }
        for (Locale locale : Locale.getAvailableLocales()) {
            if (!locale.getScript().isEmpty()) {
                SCRIPTS.add(locale.getScript());
            }
        }
    }

    private Bcp47Languages() {
    }

    /** The BCP-47 tag for {@code text}, or null when it is not a language code this class can vouch for. */
    static String normalise(String text) {
        if (text == null) {
            return null;
        }
        String[] subtags = text.strip().split("[-_]", -1);
        String language = LANGUAGES.get(subtags[0].toLowerCase(Locale.ROOT));
        if (language == null || subtags.length > 3) {
            return null;
        }
        StringBuilder tag = new StringBuilder(language);
        int next = 1;
        if (next < subtags.length && subtags[next].length() == 4) {
            String script = subtags[next].substring(0, 1).toUpperCase(Locale.ROOT) + subtags[next].substring(1).toLowerCase(Locale.ROOT);
            if (!SCRIPTS.contains(script)) {
                return null;
            }
            tag.append('-').append(script);
            next++;
        }
        if (next < subtags.length) {
            String region = subtags[next].toUpperCase(Locale.ROOT);
            if (!REGIONS.contains(region) && !isUnM49(region)) {
                return null;
            }
            tag.append('-').append(region);
            next++;
        }
        return next == subtags.length ? tag.toString() : null;
    }

    /** A UN M.49 area code such as 419 (Latin America), which BCP-47 accepts as a region. */
    private static boolean isUnM49(String region) {
        return region.length() == 3 && region.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
