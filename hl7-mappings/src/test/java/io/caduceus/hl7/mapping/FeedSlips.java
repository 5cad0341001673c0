package io.caduceus.hl7.mapping;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deterministic mutants of a fixture message: the slips real feeds make (codes in the wrong case or outside their
 * table, dates of odd precision or none, blank or shifted fields, empty repetitions, escapes, Z-segments, truncated
 * composites, LF line ends, numbers with commas, comparators or units). One seed always gives the same mutant, so a
 * failure can be replayed and a fix proven on exactly the message that showed it.
 *
 * <p>MSH-1 to MSH-12 are left alone except MSH-7's precision: a message whose header cannot be read is refused (AR)
 * before mapping, which other tests cover.
 */
final class FeedSlips {
    /** One slip: its name, for the report, and what it does to the segments. */
    record Slip(String name, BiFunction<List<String[]>, Random, Boolean> apply) {
    }

    private static final Pattern DATE = Pattern.compile("\\d{8}(\\d{2,6}(\\.\\d{1,4})?)?([+-]\\d{4})?");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");
    private static final Pattern CODE = Pattern.compile("[A-Za-z]{1,4}");
    private static final String[] ODD_DATES = {"20240101", "202401011230+0100", "2024", "202401", "2024010112",
        "20240101123045.1234-0500", "20240101+0100", "202401011230"};
    private static final String[] BAD_DATES = {"20241332", "2024-01-01", "31/12/2023", "00000000", "20240230",
        "2024013", "UNK", "20240101 1230"};
    private static final String[] LANGUAGES = {"EN", "ENG", "en-us", "en_US", "eng", "Eng", "es-MX", "SPA", "fr", "xx",
        "English"};
    private static final String[] NUMBERS = {"1,5", "<5", ">=10", "5 mg", "+3", ".5", "7.", "1.5e2", " 7 ", "1 000",
        "~4", "5-10", "N/A", "0,25"};
    private static final String[] ESCAPES = {"\\F\\", "\\S\\", "\\T\\", "\\R\\", "\\E\\", "\\X0D\\\\X0A\\", "\\.br\\",
        "\\H\\", "\\N\\", "\\X0D\\", "\\XE9\\", "\\Zlocal\\"};
    private static final String[] CASES = {"lower", "upper", "mixed"};

    static final List<Slip> SLIPS = List.of(
            new Slip("code case", FeedSlips::codeCase),
            new Slip("code outside table", FeedSlips::codeOutsideTable),
            new Slip("language", FeedSlips::language),
            new Slip("odd date precision", FeedSlips::oddDate),
            new Slip("bad date", FeedSlips::badDate),
            new Slip("blank field", FeedSlips::blankField),
            new Slip("field shifted right", FeedSlips::shiftRight),
            new Slip("empty repetitions", FeedSlips::emptyRepetitions),
            new Slip("escape", FeedSlips::escape),
            new Slip("Z-segment", FeedSlips::zSegment),
            new Slip("truncated components", FeedSlips::truncate),
            new Slip("number", FeedSlips::number),
            new Slip("unit in value", FeedSlips::unitInValue),
            new Slip("padding", FeedSlips::padding),
            new Slip("table code case", FeedSlips::tableCodeCase),
            new Slip("table code unknown", FeedSlips::tableCodeUnknown),
            new Slip("unit", FeedSlips::unit));

    /**
     * Positions (segment, field, component) whose values FHIR takes from a fixed value set, where slips cost most:
     * sex, marital status, telecom use and type, address and name use, identifier type, patient class, result and
     * order status, abnormal flags, allergy type and severity, relationship, route and site, completion status, units.
     */
    private static final String[][] TABLE_POSITIONS = {{"PID", "8", "1"}, {"PID", "16", "1"}, {"PID", "13", "2"},
        {"PID", "13", "3"}, {"PID", "11", "7"}, {"PID", "5", "7"}, {"PID", "3", "5"}, {"PID", "24", "1"},
        {"PID", "30", "1"}, {"PV1", "2", "1"}, {"OBX", "2", "1"}, {"OBX", "8", "1"}, {"OBX", "11", "1"},
        {"OBR", "25", "1"}, {"ORC", "1", "1"}, {"ORC", "5", "1"}, {"NK1", "3", "1"}, {"NK1", "5", "2"},
        {"IN1", "17", "1"}, {"IN1", "43", "1"}, {"GT1", "9", "1"}, {"AL1", "2", "1"}, {"AL1", "4", "1"},
        {"RXA", "9", "1"}, {"RXA", "20", "1"}, {"RXA", "21", "1"}, {"RXR", "1", "1"}, {"RXR", "2", "1"},
        {"RXE", "9", "1"}, {"TXA", "2", "1"}, {"TXA", "17", "1"}, {"SCH", "25", "1"}, {"SPM", "20", "1"},
        {"PRB", "13", "1"}, {"PRB", "14", "1"}, {"DG1", "6", "1"}, {"FT1", "11", "1"}, {"TQ1", "9", "1"}};
    private static final String[][] UNIT_POSITIONS = {{"OBX", "6", "1"}, {"RXA", "7", "1"}, {"RXE", "5", "1"},
        {"RXE", "11", "1"}};
    private static final String[] UNITS = {"ML", "mls", "MG/DL", "mcg", "cc", "MMOL/L", "10E3/uL", "IU", "iu",
        "mg/dl", "units", "%", "hrs", "gm", "ug/L", "/hpf"};

    private FeedSlips() {
    }

    /** The mutant for one seed: one to three slips, and LF or CRLF line ends for every fifth seed. */
    static Mutant mutate(String message, long seed) {
        Random random = new Random(seed * 7919L + message.length());
        List<String[]> segments = new ArrayList<>();
        for (String line : message.split("\r")) {
            if (!line.isEmpty()) {
                segments.add(line.split("\\|", -1));
            }
        }
        List<String> applied = new ArrayList<>();
        int wanted = 1 + random.nextInt(3);
        for (int attempt = 0; attempt < 30 && applied.size() < wanted; attempt++) {
            Slip slip = SLIPS.get(random.nextInt(SLIPS.size()));
            if (slip.apply().apply(segments, random)) {
                applied.add(slip.name());
            }
        }
        String ends = seed % 5 == 0 ? "\n" : seed % 5 == 1 ? "\r\n" : "\r";
        if (!ends.equals("\r")) {
            applied.add(ends.equals("\n") ? "LF line ends" : "CRLF line ends");
        }
        StringBuilder sb = new StringBuilder();
        for (String[] s : segments) {
            sb.append(String.join("|", s)).append(ends);
        }
        return new Mutant(sb.toString(), applied);
    }

    record Mutant(String text, List<String> slips) {
    }

    /** A field position (segment index, field index) outside MSH, or null. */
    private static int[] anyField(List<String[]> segments, Random random, Pattern valueLike) {
        List<int[]> candidates = new ArrayList<>();
        for (int s = 1; s < segments.size(); s++) {
            String[] fields = segments.get(s);
            for (int f = 1; f < fields.length; f++) {
                if (valueLike == null ? !fields[f].isEmpty() : anyComponentMatches(fields[f], valueLike)) {
                    candidates.add(new int[] {s, f});
                }
            }
        }
        return candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
    }

    private static boolean anyComponentMatches(String field, Pattern p) {
        for (String part : field.split("[~^&]", -1)) {
            if (p.matcher(part).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Replaces one component (or subcomponent) of the field that matches {@code p}. */
    private static boolean replacePart(List<String[]> segments, Random random, Pattern p,
            java.util.function.Function<String, String> change) {
        int[] at = anyField(segments, random, p);
        if (at == null) {
            return false;
        }
        String[] fields = segments.get(at[0]);
        Matcher m = Pattern.compile("[^~^&]+").matcher(fields[at[1]]);
        List<int[]> parts = new ArrayList<>();
        while (m.find()) {
            if (p.matcher(m.group()).matches()) {
                parts.add(new int[] {m.start(), m.end()});
            }
        }
        int[] part = parts.get(random.nextInt(parts.size()));
        String field = fields[at[1]];
        String changed = change.apply(field.substring(part[0], part[1]));
        fields[at[1]] = field.substring(0, part[0]) + changed + field.substring(part[1]);
        return !changed.equals(field.substring(part[0], part[1]));
    }

    private static String[] segment(List<String[]> segments, String id) {
        for (String[] s : segments) {
            if (s[0].equals(id)) {
                return s;
            }
        }
        return null;
    }

    private static boolean codeCase(List<String[]> segments, Random random) {
        String how = CASES[random.nextInt(CASES.length)];
        return replacePart(segments, random, CODE, code -> switch (how) {
            case "lower" -> code.toLowerCase(Locale.ROOT);
            case "upper" -> code.toUpperCase(Locale.ROOT);
            default -> code.length() < 2 ? code.toLowerCase(Locale.ROOT)
                    : code.substring(0, 1).toUpperCase(Locale.ROOT) + code.substring(1).toLowerCase(Locale.ROOT);
        });
    }

    private static boolean codeOutsideTable(List<String[]> segments, Random random) {
        String[] codes = {"ZZ9", "X", "99", "LOCAL", "?"};
        String code = codes[random.nextInt(codes.length)];
        return replacePart(segments, random, CODE, c -> code);
    }

    private static boolean language(List<String[]> segments, Random random) {
        String[] pid = segment(segments, "PID");
        if (pid == null) {
            return false;
        }
        String[] grown = grow(pid, 15);
        segments.set(segments.indexOf(pid), grown);
        grown[15] = LANGUAGES[random.nextInt(LANGUAGES.length)] + (random.nextBoolean() ? "" : "^English^HL70296");
        return true;
    }

    private static boolean oddDate(List<String[]> segments, Random random) {
        if (random.nextInt(6) == 0) {
            String[] msh = segments.get(0);
            String[] times = {"20240101", "202401011230", "20240101123045.12+0130", "20240101123045-0000"};
            msh[6] = times[random.nextInt(times.length)];
            return true;
        }
        return replacePart(segments, random, DATE, d -> ODD_DATES[random.nextInt(ODD_DATES.length)]);
    }

    private static boolean badDate(List<String[]> segments, Random random) {
        return replacePart(segments, random, DATE, d -> BAD_DATES[random.nextInt(BAD_DATES.length)]);
    }

    private static boolean blankField(List<String[]> segments, Random random) {
        int[] at = anyField(segments, random, null);
        if (at == null) {
            return false;
        }
        segments.get(at[0])[at[1]] = random.nextInt(4) == 0 ? "\"\"" : "";
        return true;
    }

    private static boolean shiftRight(List<String[]> segments, Random random) {
        int[] at = anyField(segments, random, null);
        if (at == null) {
            return false;
        }
        String[] fields = segments.get(at[0]);
        String[] shifted = new String[fields.length + 1];
        System.arraycopy(fields, 0, shifted, 0, at[1]);
        shifted[at[1]] = "";
        System.arraycopy(fields, at[1], shifted, at[1] + 1, fields.length - at[1]);
        segments.set(at[0], shifted);
        return true;
    }

    private static boolean emptyRepetitions(List<String[]> segments, Random random) {
        int[] at = anyField(segments, random, null);
        if (at == null) {
            return false;
        }
        String[] fields = segments.get(at[0]);
        String[] forms = {"~" + fields[at[1]], fields[at[1]] + "~~", "~" + fields[at[1]] + "~", fields[at[1]] + "~^"};
        fields[at[1]] = forms[random.nextInt(forms.length)];
        return true;
    }

    private static boolean escape(List<String[]> segments, Random random) {
        String esc = ESCAPES[random.nextInt(ESCAPES.length)];
        return replacePart(segments, random, Pattern.compile("[A-Za-z][A-Za-z ,.'-]{3,}"), text -> {
            int cut = 1 + random.nextInt(text.length() - 1);
            return text.substring(0, cut) + esc + text.substring(cut);
        });
    }

    private static boolean zSegment(List<String[]> segments, Random random) {
        String[][] zs = {{"ZPD", "1", "LOCAL^Local code^L", "20240101"}, {"ZXT", "", "free text \\T\\ more", "Y"},
            {"ZBX", "1", "A~B~~C", "1.5^mg"}};
        int at = 1 + random.nextInt(segments.size());
        segments.add(Math.min(at, segments.size()), zs[random.nextInt(zs.length)].clone());
        return true;
    }

    private static boolean truncate(List<String[]> segments, Random random) {
        int[] at = anyField(segments, random, Pattern.compile(".*"));
        if (at == null) {
            return false;
        }
        String[] fields = segments.get(at[0]);
        String[] reps = fields[at[1]].split("~", -1);
        int r = random.nextInt(reps.length);
        String[] comps = reps[r].split("\\^", -1);
        if (comps.length < 2) {
            return false;
        }
        int keep = 1 + random.nextInt(comps.length - 1);
        reps[r] = String.join("^", java.util.Arrays.copyOf(comps, keep));
        fields[at[1]] = String.join("~", reps);
        return true;
    }

    private static boolean number(List<String[]> segments, Random random) {
        String n = NUMBERS[random.nextInt(NUMBERS.length)];
        return replacePart(segments, random, NUMBER, v -> n);
    }

    /** An OBX of type NM whose value carries its unit, or an amount with its unit in RXA-6 / FT1-10. */
    private static boolean unitInValue(List<String[]> segments, Random random) {
        for (String[] s : segments) {
            if (s[0].equals("OBX") && s.length > 5 && "NM".equals(s[2]) && !s[5].isEmpty()) {
                s[5] = s[5] + (random.nextBoolean() ? " mmol/L" : "mg");
                return true;
            }
            if (s[0].equals("RXA") && s.length > 6 && !s[6].isEmpty()) {
                s[6] = s[6] + " mL";
                return true;
            }
        }
        return false;
    }

    private static boolean padding(List<String[]> segments, Random random) {
        return replacePart(segments, random, Pattern.compile("[A-Za-z0-9].*"), v -> random.nextBoolean() ? " " + v : v + "  ");
    }

    /** The populated positions of {@code table} in this message, as {segment index, field, component}. */
    private static List<int[]> positions(List<String[]> segments, String[][] table) {
        List<int[]> found = new ArrayList<>();
        for (int s = 1; s < segments.size(); s++) {
            for (String[] p : table) {
                String[] fields = segments.get(s);
                int f = Integer.parseInt(p[1]);
                if (fields[0].equals(p[0]) && f < fields.length && !component(fields[f], Integer.parseInt(p[2])).isEmpty()) {
                    found.add(new int[] {s, f, Integer.parseInt(p[2])});
                }
            }
        }
        return found;
    }

    private static String component(String field, int c) {
        String[] comps = field.split("~", -1)[0].split("\\^", -1);
        return c <= comps.length ? comps[c - 1] : "";
    }

    private static boolean setComponent(List<String[]> segments, int[] at, java.util.function.UnaryOperator<String> change) {
        String[] fields = segments.get(at[0]);
        String[] reps = fields[at[1]].split("~", -1);
        String[] comps = reps[0].split("\\^", -1);
        String before = comps[at[2] - 1];
        comps[at[2] - 1] = change.apply(before);
        reps[0] = String.join("^", comps);
        fields[at[1]] = String.join("~", reps);
        return !before.equals(comps[at[2] - 1]);
    }

    private static boolean tableCodeCase(List<String[]> segments, Random random) {
        List<int[]> found = positions(segments, TABLE_POSITIONS);
        if (found.isEmpty()) {
            return false;
        }
        boolean lower = random.nextBoolean();
        return setComponent(segments, found.get(random.nextInt(found.size())), c -> lower ? c.toLowerCase(Locale.ROOT)
                : c.length() > 1 ? c.substring(0, 1).toUpperCase(Locale.ROOT) + c.substring(1).toLowerCase(Locale.ROOT)
                : c.toLowerCase(Locale.ROOT));
    }

    private static boolean tableCodeUnknown(List<String[]> segments, Random random) {
        List<int[]> found = positions(segments, TABLE_POSITIONS);
        if (found.isEmpty()) {
            return false;
        }
        String[] codes = {"ZZ9", "X", "99", "LOCAL", "Female", "unknown", "?", "0"};
        String code = codes[random.nextInt(codes.length)];
        return setComponent(segments, found.get(random.nextInt(found.size())), c -> code);
    }

    private static boolean unit(List<String[]> segments, Random random) {
        List<int[]> found = positions(segments, UNIT_POSITIONS);
        if (found.isEmpty()) {
            return false;
        }
        String u = UNITS[random.nextInt(UNITS.length)];
        return setComponent(segments, found.get(random.nextInt(found.size())), c -> u);
    }

    private static String[] grow(String[] fields, int index) {
        return fields.length > index ? fields : java.util.Arrays.copyOf(fillEmpty(fields, index + 1), index + 1);
    }

    private static String[] fillEmpty(String[] fields, int length) {
        String[] out = java.util.Arrays.copyOf(fields, length);
        for (int i = fields.length; i < length; i++) {
            out[i] = "";
        }
        return out;
    }
}
