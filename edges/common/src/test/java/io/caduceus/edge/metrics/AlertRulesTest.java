package io.caduceus.edge.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The alerts shipped in {@code docker/prometheus/caduceus-rules.yml}. With promtool (at $PROMTOOL, on PATH, or in the
 * developer's cache {@code ~/.cache/caduceus/promtool/}, as the devnet finds Fabric's binaries) the rules
 * are checked and evaluated against the recorded series of {@code caduceus-rules.test.yml}: each alert fires when it
 * should, with its labels and texts, and stays quiet otherwise. Without promtool that test reports itself skipped and
 * the others still hold the files together. That every metric the rules and the dashboard name exists in a real scrape
 * is MetricsIT's (integration-tests), against the middleware on the devnet.
 */
class AlertRulesTest {

    private static final Path PROMETHEUS_DIR = repositoryRoot().resolve("docker/prometheus");

    @Test
    void promtoolEvaluatesTheRulesAgainstRecordedSeries() throws Exception {
        Optional<Path> promtool = promtool();
        Assumptions.assumeTrue(promtool.isPresent(), "promtool is not at $PROMTOOL, on PATH or in ~/.cache/caduceus/promtool: the rules were not "
                + "evaluated (go install github.com/prometheus/prometheus/cmd/promtool@v0.316.0)");
        assertThat(run(promtool.get(), "check", "rules", "caduceus-rules.yml")).contains("SUCCESS");
        assertThat(run(promtool.get(), "test", "rules", "caduceus-rules.test.yml")).contains("SUCCESS");
    }

    @Test
    void everyAlertHasASeverityTextsAndARecordedTest() throws IOException {
        Set<String> alerts = new LinkedHashSet<>();
        for (Map<String, Object> rule : rules()) {
            if (rule.containsKey("alert")) {
                String name = (String) rule.get("alert");
                alerts.add(name);
                assertThat(name).startsWith("Caduceus");
                assertThat(map(rule.get("labels"))).as("labels of %s", name).containsKey("severity");
                assertThat(map(rule.get("labels")).get("severity")).as("severity of %s", name)
                        .isIn("warning", "critical");
                assertThat(map(rule.get("annotations"))).as("annotations of %s", name)
                        .containsKeys("summary", "description");
                assertThat((String) rule.get("for")).as("%s waits before firing", name).isNotBlank();
            } else {
                assertThat((String) rule.get("record")).as("a recording rule's name").startsWith("caduceus:");
            }
        }
        assertThat(alerts).contains("CaduceusSenderSilent", "CaduceusQuarantineGrowing", "CaduceusAnchoringLagging",
                "CaduceusAnchorKeyLow", "CaduceusLedgerLagging", "CaduceusFhirServerErrors", "CaduceusStoreBreakerOpen",
                "CaduceusStoreBreakerFlapping");
        Set<String> tested = new LinkedHashSet<>();
        for (Object test : list(load(PROMETHEUS_DIR.resolve("caduceus-rules.test.yml")).get("tests"))) {
            for (Object alertTest : list(map(test).get("alert_rule_test"))) {
                String alert = (String) map(alertTest).get("alertname");
                tested.add(alert);
            }
        }
        assertThat(tested).as("alerts with a firing and a quiet case in caduceus-rules.test.yml")
                .containsExactlyInAnyOrderElementsOf(alerts);
    }

    @Test
    void theSenderGapIsConfigurablePerSenderWithADefault() throws IOException {
        List<String> records = rules().stream().map(r -> (String) r.get("record")).filter(r -> r != null).toList();
        assertThat(records).contains("caduceus:hl7_sender_default_max_gap_seconds", "caduceus:hl7_sender_max_gap_seconds");
        String silent = rules().stream().filter(r -> "CaduceusSenderSilent".equals(r.get("alert")))
                .map(r -> (String) r.get("expr")).findFirst().orElseThrow();
        assertThat(silent).contains("on(sender)", "caduceus:hl7_sender_max_gap_seconds",
                "caduceus:hl7_sender_default_max_gap_seconds");
    }

    @Test
    void theStoreBreakerAlertsReadItsStateAndItsOpeningsAndTheOpenOneIsCritical() throws IOException {
        Map<String, Object> open = alert("CaduceusStoreBreakerOpen");
        assertThat(metricNames((String) open.get("expr"))).containsExactly("caduceus_ingest_breaker_state");
        assertThat(map(open.get("labels"))).containsEntry("severity", "critical");
        // Tested with promtool in caduceus-rules.test.yml: one short opening stays quiet, ten minutes open fire.
        assertThat((String) open.get("expr")).as("bridges scrapes that miss a flapping breaker").contains("max_over_time");
        Map<String, Object> flapping = alert("CaduceusStoreBreakerFlapping");
        assertThat(metricNames((String) flapping.get("expr"))).containsExactly("caduceus_ingest_breaker_opened_total");
        assertThat((String) flapping.get("expr")).contains("caduceus:ingest_breaker_flapping_openings");
    }

    private static Map<String, Object> alert(String name) throws IOException {
        return rules().stream().filter(r -> name.equals(r.get("alert"))).findFirst().orElseThrow();
    }

    /** The metric names (not recording rules) a PromQL text uses, for MetricsIT and the tests here. */
    static Set<String> metricNames(String promql) {
        Set<String> names = new LinkedHashSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<![:\\w])(caduceus_[a-z0-9_]+)").matcher(promql);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void rulesNameOnlyCaduceusMetricsThatFollowTheConventions() throws IOException {
        Set<String> names = new LinkedHashSet<>();
        for (Map<String, Object> rule : rules()) {
            names.addAll(metricNames((String) rule.get("expr")));
        }
        assertThat(names).isNotEmpty().allSatisfy(name -> assertThat(name)
                .as("a counter ends in _total, a unit is a base unit").doesNotContain("_milliseconds", "_ms", "_ether"));
    }

    private static List<Map<String, Object>> rules() throws IOException {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Object group : list(load(PROMETHEUS_DIR.resolve("caduceus-rules.yml")).get("groups"))) {
            for (Object rule : list(map(group).get("rules"))) {
                rules.add(map(rule));
            }
        }
        return rules;
    }

    private static String run(Path promtool, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(promtool.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(PROMETHEUS_DIR.toFile()).redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("promtool finished").isTrue();
        assertThat(process.exitValue()).as("promtool %s:%n%s", String.join(" ", args), output).isZero();
        return output;
    }

    static Optional<Path> promtool() {
        String configured = System.getenv("PROMTOOL");
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        Path cached = Path.of(System.getProperty("user.home"), ".cache", "caduceus", "promtool", "promtool");
        return Files.isExecutable(cached) ? Optional.of(cached) : Optional.empty();
    }

    private static Map<String, Object> load(Path file) throws IOException {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return value == null ? List.of() : (List<Object>) value;
    }

    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker/compose.yaml")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no docker/compose.yaml above " + Path.of("").toAbsolutePath());
    }
}
