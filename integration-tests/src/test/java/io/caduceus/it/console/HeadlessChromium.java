package io.caduceus.it.console;

import io.caduceus.core.json.CanonicalJson;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Debian's chromium, headless, driven through chromedriver's W3C WebDriver HTTP API with the JDK's HTTP client (no
 * Selenium: the dozen commands a console test needs are plain JSON over HTTP). {@link #find()} says why when the
 * browser or the driver is missing, so a test can report itself skipped with that reason.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");
    private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

    private final Process driver;
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private HeadlessChromium(Process driver, String base) {
        this.driver = driver;
        this.base = base;
    }

    /** The browser and driver to use, or why there are none. */
    static Optional<String> missing() {
        if (BROWSERS.stream().noneMatch(b -> Files.isExecutable(Path.of(b)))) {
            return Optional.of("Debian's chromium is not installed (apt-get install -y chromium chromium-driver; .ci/run does it)");
        }
        if (DRIVERS.stream().noneMatch(d -> Files.isExecutable(Path.of(d)))) {
            return Optional.of("chromedriver is not installed (apt-get install -y chromium-driver)");
        }
        return Optional.empty();
    }

    static HeadlessChromium start(Path logDir) throws Exception {
        String browser = BROWSERS.stream().filter(b -> Files.isExecutable(Path.of(b))).findFirst().orElseThrow();
        String driverPath = DRIVERS.stream().filter(d -> Files.isExecutable(Path.of(d))).findFirst().orElseThrow();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.createDirectories(logDir);
        Process process = new ProcessBuilder(driverPath, "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(logDir.resolve("chromedriver.log").toFile()).start();
        HeadlessChromium chromium = new HeadlessChromium(process, "http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                Map<?, ?> status = (Map<?, ?>) chromium.call("GET", "/status", null);
                if (Boolean.TRUE.equals(status.get("ready"))) {
                    break;
                }
            } catch (IOException notYet) {
                // chromedriver is still starting
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                chromium.close();
                throw new IllegalStateException("chromedriver did not start; see " + logDir.resolve("chromedriver.log"));
            }
            Thread.sleep(200);
        }
        chromium.browser = browser;
        return chromium;
    }

    private String browser;
    private String session;

    /** Opens a browser window (one per test class): headless, as root needs no sandbox, a fixed size for screenshots. */
    void open() throws Exception {
        Map<String, Object> chrome = new LinkedHashMap<>();
        chrome.put("binary", browser);
        chrome.put("args", List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--no-first-run", "--disable-extensions"));
        Map<String, Object> capabilities = Map.of("capabilities", Map.of("alwaysMatch",
                Map.of("browserName", "chrome", "goog:chromeOptions", chrome)));
        Map<?, ?> value = (Map<?, ?>) call("POST", "/session", capabilities);
        session = (String) value.get("sessionId");
    }

    void get(String url) throws Exception {
        command("POST", "/url", Map.of("url", url));
    }

    String element(String css) throws Exception {
        Map<?, ?> found = (Map<?, ?>) command("POST", "/element", Map.of("using", "css selector", "value", css));
        return (String) found.get(ELEMENT);
    }

    void type(String css, String text) throws Exception {
        String id = element(css);
        command("POST", "/element/" + id + "/clear", Map.of());
        command("POST", "/element/" + id + "/value", Map.of("text", text));
    }

    void click(String css) throws Exception {
        command("POST", "/element/" + element(css) + "/click", Map.of());
    }

    String text(String css) throws Exception {
        return (String) command("GET", "/element/" + element(css) + "/text", null);
    }

    /** Runs a function body in the page (arguments as {@code arguments[i]}) and returns its value. */
    Object script(String body, Object... args) throws Exception {
        return command("POST", "/execute/sync", Map.of("script", body, "args", List.of(args)));
    }

    void screenshot(Path file) throws Exception {
        String png = (String) command("GET", "/screenshot", null);
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(png));
    }

    private Object command(String method, String path, Object body) throws Exception {
        return call(method, "/session/" + session + path, body);
    }

    private Object call(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(CanonicalJson.write(body)));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        Object parsed = CanonicalJson.parse(response.body());
        Object value = parsed instanceof Map<?, ?> m ? m.get("value") : null;
        if (response.statusCode() != 200) {
            throw new IllegalStateException("WebDriver " + method + " " + path + ": HTTP " + response.statusCode() + " "
                    + (value instanceof Map<?, ?> error ? error.get("error") + ": " + error.get("message") : response.body()));
        }
        return value;
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                call("DELETE", "/session/" + session, null);
            }
        } catch (Exception e) {
            // the driver's exit below ends the browser too
        } finally {
            driver.destroy();
            try {
                driver.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
