package io.caduceus.benchmarks.mapping;

import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.hl7.mapping.Hl7ToFhirMapper;
import io.caduceus.hl7.mapping.MappingCoverage;
import io.caduceus.hl7.mapping.MappingMode;
import io.caduceus.hl7.v2.Hl7Message;
import io.caduceus.hl7.v2.Hl7Segment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * How many populated HL7 v2 values each converter carries into FHIR, on the same fixtures, measured the same way for
 * both: every populated value of the message (each subcomponent, MSH-1/2 excepted), unescaped, is looked for among the
 * primitive values of the bundle after normalisation (case, punctuation and spaces ignored, so 20240310101500-0500 is
 * found as 2024-03-10T10:15:00-05:00). A value of three characters or more is also found inside a longer one (CVX in
 * http://hl7.org/fhir/sid/cvx, 217 in +1 217 5550123); shorter ones must match a whole value. Resource ids and
 * references (UUIDs, in which digits would be found by chance) are not searched. A value translated on the way (F to
 * female, LN to http://loinc.org) is not found for either converter; a short one may be found by coincidence for
 * either. Caduceus's own figure, from its mapping ({@code ./caduceus map --coverage}: values a rule
 * wrote, translated or not), is printed beside it.
 *
 * <p>LinuxForHealth's bundles come from {@code LinuxForHealthBundles} in benchmarks/linuxforhealth (its HAPI version
 * cannot share a class path with Caduceus's). Run from the repository root:
 * {@code java -cp benchmarks/target/benchmarks.jar io.caduceus.benchmarks.mapping.ConverterCoverage [FIXTURES] LFH_DIR}.
 */
public final class ConverterCoverage {

    private static final Set<String> IDS = Set.of("id", "fullUrl", "reference");
    private static final Pattern JSON_PRIMITIVE =
            Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"(\\s*:)?|(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)");

    private ConverterCoverage() {
    }

    /** One populated v2 value and where it sits. */
    record Populated(String location, String value) {
    }

    public static void main(String[] args) throws Exception {
        Path fixtures = Path.of(args.length > 1 ? args[0] : "hl7-mappings/src/test/resources/fixtures");
        Path lfh = Path.of(args[args.length - 1]);
        Hl7ToFhirMapper mapper = Hl7ToFhirMapper.builder()
                .resourceIdKey(new DeploymentKeys(new byte[32]).keyFor(DeploymentKeys.Purpose.RESOURCE_ID)).build();
        int populated = 0;
        int caduceusFound = 0;
        int caduceusMapped = 0;
        int lfhFound = 0;
        int bothPopulated = 0;
        int bothCaduceus = 0;
        System.out.printf("%-8s %9s %17s %17s %19s%n", "message", "populated", "Caduceus (search)", "LFH 1.0.19",
                "Caduceus (mapping)");
        List<Path> files;
        try (Stream<Path> list = Files.list(fixtures)) {
            files = list.filter(f -> f.toString().endsWith(".hl7")).sorted().toList();
        }
        for (Path file : files) {
            String name = file.getFileName().toString().replace(".hl7", "");
            Hl7Message message = Hl7Message.parse(Files.readAllBytes(file));
            List<Populated> values = populated(message);
            MappingCoverage coverage = mapper.coverage(message, MappingMode.LENIENT);
            int cad = found(values, new String(coverage.result().canonicalJson(), StandardCharsets.UTF_8));
            Path lfhBundle = lfh.resolve(name + ".json");
            Integer other = Files.exists(lfhBundle) ? found(values, Files.readString(lfhBundle, StandardCharsets.UTF_8)) : null;
            populated += values.size();
            caduceusFound += cad;
            caduceusMapped += coverage.mapped();
            if (other != null) {
                lfhFound += other;
                bothPopulated += values.size();
                bothCaduceus += cad;
            }
            System.out.printf("%-8s %9d %17s %17s %19s%n", name, values.size(), percent(cad, values.size()),
                    other == null ? "not converted" : percent(other, values.size()), percent(coverage.mapped(), coverage.populated()));
        }
        System.out.printf("all      %9d %17s %17s %19s%n", populated, percent(caduceusFound, populated),
                percent(lfhFound, populated), percent(caduceusMapped, populated));
        System.out.printf("both convert: %d populated values, Caduceus %s, LinuxForHealth %s%n", bothPopulated,
                percent(bothCaduceus, bothPopulated), percent(lfhFound, bothPopulated));
    }

    private static String percent(int part, int whole) {
        return String.format(Locale.ROOT, "%d (%.1f%%)", part, whole == 0 ? 0.0 : 100.0 * part / whole);
    }

    static List<Populated> populated(Hl7Message message) {
        List<Populated> values = new ArrayList<>();
        for (Hl7Segment s : message.segments()) {
            for (int f = "MSH".equals(s.id()) ? 3 : 1; f <= s.fieldCount(); f++) {
                for (int r = 1; r <= s.repetitionCount(f); r++) {
                    for (int c = 1; c <= s.componentCount(f, r); c++) {
                        for (int sc = 1; sc <= s.subcomponentCount(f, r, c); sc++) {
                            String v = s.value(f, r, c, sc);
                            if (v != null && !"\"\"".equals(v)) {
                                values.add(new Populated(s.id() + "#" + s.index() + "-" + f + "[" + r + "]." + c + "." + sc, v));
                            }
                        }
                    }
                }
            }
        }
        return values;
    }

    /** How many of {@code values} are found among the primitive values of {@code json}. */
    static int found(List<Populated> values, String json) {
        Set<String> exact = new HashSet<>();
        List<String> all = new ArrayList<>();
        Matcher m = JSON_PRIMITIVE.matcher(json);
        String key = "";
        while (m.find()) {
            if (m.group(2) != null) {
                key = m.group(1);
                continue;
            }
            String raw = m.group(1) != null ? unescape(m.group(1)) : m.group(3);
            if (IDS.contains(key) || raw.startsWith("urn:uuid:") || raw.contains("urn:uuid:")) {
                continue;
            }
            String n = normalise(raw);
            if (!n.isEmpty()) {
                exact.add(n);
                all.add(n);
            }
        }
        int count = 0;
        for (Populated p : values) {
            String n = normalise(p.value());
            if (n.isEmpty()) {
                continue;
            }
            if (exact.contains(n) || n.length() >= 3 && all.stream().anyMatch(o -> o.contains(n))) {
                count++;
            }
        }
        return count;
    }

    /** Lower case, letters and digits only; the T between a FHIR date and time dropped. */
    static String normalise(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (c == 't' && i > 0 && i + 1 < lower.length() && Character.isDigit(lower.charAt(i - 1))
                    && Character.isDigit(lower.charAt(i + 1))) {
                continue;
            }
            if (Character.isLetterOrDigit(c)) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'b', 'f' -> sb.append(' ');
                case 'u' -> {
                    if (i + 4 < s.length()) {
                        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                }
                default -> sb.append(e);
            }
        }
        return sb.toString();
    }
}
