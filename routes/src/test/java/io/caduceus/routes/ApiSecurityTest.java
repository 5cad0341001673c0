package io.caduceus.routes;

import io.caduceus.edge.access.ApiRole;
import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.commitment.Salt;
import io.caduceus.routes.CaduceusApplication;
import io.caduceus.edge.fhir.TestTokens;
import io.caduceus.edge.services.IngestServices;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every HTTP route the application serves, as Camel lists them (so a new one cannot be forgotten), answers an anonymous
 * and a wrong-role caller with 401/403 and does nothing for them, unless it is public on purpose (listed below), and
 * no answer carries an internal header.
 */
class ApiSecurityTest {

    // HTTP/1.1: what most operator tools speak, and what the ITs use.
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** How each HTTP route is protected: public, by FHIR scopes, or by API roles. A route not listed fails the test. */
    private sealed interface Access permits Public, FhirScopes, Roles {
    }

    private record Public(String why) implements Access {
    }

    private record FhirScopes() implements Access {
    }

    private record Roles(Set<ApiRole> roles) implements Access {
        Roles(ApiRole... roles) {
            this(EnumSet.copyOf(Arrays.asList(roles)));
        }
    }

    private static final Map<String, Access> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("GET /fhir/metadata", new Public("clients read the authorization rules before they hold a token; no data"));
        EXPECTED.put("POST /fhir/{type}", new FhirScopes());
        EXPECTED.put("PUT /fhir/{type}/{id}", new FhirScopes());
        EXPECTED.put("POST /fhir", new FhirScopes());
        EXPECTED.put("GET /fhir/{type}/{id}", new FhirScopes());
        EXPECTED.put("GET /fhir/Patient/{id}/$everything", new FhirScopes());
        EXPECTED.put("GET /api/status", new Roles(ApiRole.OPERATOR));
        EXPECTED.put("GET /api/quarantine", new Roles(ApiRole.OPERATOR));
        EXPECTED.put("POST /api/quarantine/{id}/reprocess", new Roles(ApiRole.OPERATOR));
        EXPECTED.put("POST /api/erasure", new Roles(ApiRole.PRIVACY_OFFICER));
        EXPECTED.put("POST /api/consents", new Roles(ApiRole.PRIVACY_OFFICER));
        EXPECTED.put("POST /api/consents/revoke", new Roles(ApiRole.PRIVACY_OFFICER));
        EXPECTED.put("POST /api/consents/check", new Roles(ApiRole.PRIVACY_OFFICER, ApiRole.AUDITOR));
        EXPECTED.put("GET /api/ledger", new Roles(ApiRole.OPERATOR, ApiRole.AUDITOR));
        EXPECTED.put("GET /api/ledger/{recordId}", new Roles(ApiRole.OPERATOR, ApiRole.AUDITOR));
        EXPECTED.put("GET /api/anchoring", new Roles(ApiRole.OPERATOR, ApiRole.AUDITOR));
        EXPECTED.put("GET /api/proofs/{recordId}", new Roles(ApiRole.OPERATOR, ApiRole.AUDITOR));
        EXPECTED.put("GET /api/track/{recordId}", new Roles(ApiRole.OPERATOR));
        EXPECTED.put("GET /observe/metrics", new Roles(ApiRole.OPERATOR, ApiRole.METRICS));
        EXPECTED.put("GET /console", new Public("the console's static shell: HTML, CSS and scripts, no data; every datum"
                + " it shows comes from /api with the operator's token"));
        EXPECTED.put("GET /api/flow", new Roles(ApiRole.OPERATOR));
        EXPECTED.put("POST /api/quarantine/{id}/discard", new Roles(ApiRole.OPERATOR));
        EXPECTED.put("GET /api/quarantine/{id}/content", new Roles(ApiRole.PRIVACY_OFFICER));
        EXPECTED.put("POST /api/track/patient", new Roles(ApiRole.PRIVACY_OFFICER));
        EXPECTED.put("GET /api/test-headers", new Roles(ApiRole.OPERATOR));
        EXPECTED.put("POST /api/test-headers", new Roles(ApiRole.OPERATOR));
    }

    private static final String RECORD_ID = "r_" + "ab".repeat(16);
    private static final String MRN_SYSTEM = "urn:oid:1.2.36.146.595.217.0.1";
    private static final String MRN = "MRN-SECURITY-1";

    @TempDir
    static Path tmp;

    private static Main main;
    private static int http;
    private static KeyPair issuer;
    private static RecordVault vault;
    private static String quarantineId;
    private static String patientRecordId;

    @BeforeAll
    static void start() throws Exception {
        issuer = TestTokens.ec();
        Path pem = Files.writeString(tmp.resolve("issuer.pem"), TestTokens.pem(issuer));
        http = freePort();
        int nothingListens = freePort();
        Files.writeString(tmp.resolve("test.properties"), String.join("\n",
                "camel.server.port=" + http,
                "kafka.bootstrap.servers=127.0.0.1:" + nothingListens,
                "ethereum.rpc.url=http://127.0.0.1:" + nothingListens,
                "caduceus.mllp.port=" + freePort(),
                "caduceus.data.directory=" + tmp.resolve("data"),
                "caduceus.secrets.generate-if-missing=true",
                "caduceus.fabric.enabled=false",
                // Kafka is down here: admitted operator actions wait this long for their access event, then answer 503.
                "camel.component.kafka.additional-properties[max.block.ms]=1000",
                "caduceus.fhir.auth.issuer=" + TestTokens.ISSUER,
                "caduceus.fhir.auth.audience=" + TestTokens.AUDIENCE,
                "caduceus.fhir.auth.public-key-file=" + pem,
                ""));
        Path extraRoutes = Files.createDirectory(tmp.resolve("routes"));
        // An engineer's own route, written as the shipped ones are: gate first, then its steps.
        Files.writeString(extraRoutes.resolve("test-headers.camel.yaml"), """
                - route:
                    id: test-headers
                    from:
                      uri: platform-http:/api/test-headers
                      parameters:
                        httpMethodRestrict: GET,POST
                      steps:
                        - bean:
                            ref: apiAccess
                            method: "allow(*, 'operator')"
                        - setHeader:
                            name: X-Internal-Flag
                            constant: internal
                        - setHeader:
                            name: kafka.KEY
                            constant: pp1_should-never-leave
                        - setBody:
                            simple: "headers: ${in.headers}"
                """);
        main = new Main(CaduceusApplication.class);
        CaduceusApplication.configure(main, tmp.toString(), extraRoutes.toString());
        main.start();

        vault = main.getCamelContext().getRegistry().lookupByNameAndType("ingestServices", IngestServices.class).vault();
        quarantineId = vault.quarantine("SEC-1", "test", "MSH|^~\\&|".getBytes(StandardCharsets.UTF_8), Instant.now()).quarantineId();
        String pseudonym = main.getCamelContext().getRegistry().lookupByNameAndType("ingestServices", IngestServices.class)
                .pseudonymizer().pseudonymize(MRN_SYSTEM, MRN).value();
        patientRecordId = "r_" + "cd".repeat(16);
        vault.put(new VaultRecord(patientRecordId, pseudonym, Salt.random().toBytes(), "application/fhir+json",
                "{}".getBytes(StandardCharsets.UTF_8), new byte[0], Instant.now()));
    }

    @AfterAll
    static void stop() {
        if (main != null) {
            main.stop();
        }
    }

    @Test
    void everyHttpRouteIsClassifiedAndRefusesAnonymousAndWrongRoleCallersWithoutEffect() throws Exception {
        List<String> served = httpRoutes(main.getCamelContext());
        assertThat(served).as("every HTTP route the application serves has a decided access rule")
                .allSatisfy(route -> assertThat(EXPECTED).containsKey(route));
        assertThat(EXPECTED.keySet()).as("and the rules name no route that is gone").containsExactlyInAnyOrderElementsOf(served);

        for (String route : served) {
            Access access = EXPECTED.get(route);
            HttpResponse<String> anonymous = send(route, null);
            assertNoInternalHeaders(route, anonymous);
            if (access instanceof Public) {
                assertThat(anonymous.statusCode()).as(route + " is public on purpose").isEqualTo(200);
                continue;
            }
            assertThat(anonymous.statusCode()).as(route + " without credentials").isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).as(route).isPresent();

            String wrong = access instanceof Roles roles
                    ? scopesExcept(roles.roles()) + " system/*.read system/*.write"
                    : scopesExcept(Set.of());
            HttpResponse<String> wrongRole = send(route, token(wrong));
            assertNoInternalHeaders(route, wrongRole);
            assertThat(wrongRole.statusCode()).as(route + " with the wrong role: " + wrong).isEqualTo(403);
        }
        assertThat(vault.getQuarantined(quarantineId)).as("refused reprocessing left the message where it was").isPresent();
        assertThat(tmp.resolve("data").resolve("quarantine-discards.jsonl")).as("refused discards discarded nothing")
                .doesNotExist();
        assertThat(vault.get(patientRecordId)).as("refused erasure erased nothing").isPresent();

        // The same requests with the role: admitted (they may still fail here, with Kafka and Ethereum down).
        for (String route : served) {
            if (EXPECTED.get(route) instanceof Roles roles) {
                HttpResponse<String> allowed = send(route, token(roles.roles().iterator().next().scope()));
                assertNoInternalHeaders(route, allowed);
                assertThat(allowed.statusCode()).as(route + " with its role").isNotIn(401, 403);
            }
        }
    }

    @Test
    void theSaltIsForAuditorsOnlyWhateverTheParameterLooksLike() throws Exception {
        for (String flag : List.of("true", "TRUE", "True")) {
            URI uri = uri("/api/proofs/" + RECORD_ID + "?includeSalt=" + flag);
            assertThat(get(uri, token(ApiRole.OPERATOR.scope())).statusCode()).as("operator, includeSalt=" + flag).isEqualTo(403);
            assertThat(get(uri, token(ApiRole.AUDITOR.scope())).statusCode()).as("auditor, includeSalt=" + flag).isNotIn(401, 403);
        }
        assertThat(get(uri("/api/proofs/" + RECORD_ID), token(ApiRole.OPERATOR.scope())).statusCode()).isNotIn(401, 403);
    }

    @Test
    void headersThatSteerCamelAreDroppedOnTheWayInAndInternalOnesOnTheWayOut() throws Exception {
        String token = token(ApiRole.OPERATOR.scope());
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri("/api/test-headers"))
                .header("Authorization", "Bearer " + token)
                .header("kafka.OVERRIDE_TOPIC", "somewhere-else")
                .header("CamelHttpResponseCode", "299")
                .header("X-Client-Note", "kept")
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("a client cannot choose the status").isEqualTo(200);
        assertThat(response.body()).as("the exchange the route saw")
                .containsIgnoringCase("X-Client-Note").doesNotContain("OVERRIDE_TOPIC").doesNotContain("CamelHttpResponseCode")
                .as("the token does not travel past the gate").doesNotContain(token).doesNotContainIgnoringCase("authorization");
        assertThat(response.headers().map().keySet()).doesNotContain("x-internal-flag", "kafka.key");
        assertNoInternalHeaders("GET /api/test-headers", response);

        // The request's Content-Length is the request's: echoed, it cut the answer to the request body's length.
        HttpResponse<String> posted = HTTP.send(HttpRequest.newBuilder(uri("/api/test-headers"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString("abc"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(posted.body()).startsWith("headers: {").endsWith("}");
    }

    @Test
    void aJsonApiSaysWhatToSendWhenTheBodyIsDeclaredAsSomethingElse() throws Exception {
        // curl -d sends application/x-www-form-urlencoded; parsed as a form, the body was lost ("not valid JSON").
        HttpResponse<String> erasure = HTTP.send(HttpRequest.newBuilder(uri("/api/erasure"))
                .header("Authorization", "Bearer " + token(ApiRole.PRIVACY_OFFICER.scope()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("{\"identifierSystem\":\"urn:id:X\",\"identifierValue\":\"NOBODY-1\","
                        + "\"reason\":\"form-typed\"}"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(erasure.statusCode()).as(erasure.body()).isEqualTo(415);
        assertThat(erasure.body()).contains("Content-Type: application/json");
    }

    @Test
    void healthIsPublicButSaysNothingMoreThanUpOrDown() throws Exception {
        HttpResponse<String> health = get(uri("/observe/health"), null);
        assertThat(health.statusCode()).isIn(200, 503);
        assertThat(health.body()).doesNotContain("kafka").doesNotContain("ethereum").contains("\"status\"");
        assertThat(get(uri("/observe/info"), null).statusCode()).as("OS, JVM and PID are nobody's business").isEqualTo(404);

        HttpResponse<String> status = get(uri("/api/status"), token(ApiRole.OPERATOR.scope()));
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).as("operators see each dependency's check")
                .contains("\"name\":\"kafka\",\"status\":\"DOWN\"").contains("\"name\":\"context\",\"status\":\"UP\"");
    }

    private static void assertNoInternalHeaders(String route, HttpResponse<?> response) {
        Set<String> names = response.headers().map().keySet().stream().filter(n -> !n.startsWith(":")) // HTTP/2 pseudo-headers
                .map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        assertThat(names).as(route + ": response headers").allSatisfy(name -> assertThat(name)
                .isIn("content-type", "content-length", "content-location", "location", "etag", "last-modified", "link",
                        "retry-after", "www-authenticate", "allow", "cache-control", "vary", "x-caduceus-record-id",
                        "x-caduceus-quarantine-id", "x-caduceus-integrity", "transfer-encoding", "connection", "date",
                        // the console's security headers (ConsoleAssets)
                        "content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"));
    }

    /** "METHOD /path" of every platform-http route. */
    private static List<String> httpRoutes(CamelContext context) {
        List<String> routes = new ArrayList<>();
        for (Route route : context.getRoutes()) {
            if (route.getEndpoint() instanceof PlatformHttpEndpoint endpoint) {
                String methods = endpoint.getHttpMethodRestrict();
                assertThat(methods).as(endpoint.getPath() + " restricts its method").isNotBlank();
                for (String method : methods.split(",")) {
                    routes.add(method.strip() + " " + endpoint.getPath());
                }
            }
        }
        return routes;
    }

    private static HttpResponse<String> send(String route, String token) throws Exception {
        String method = route.substring(0, route.indexOf(' '));
        String path = route.substring(route.indexOf(' ') + 1)
                .replace("{type}", "Patient").replace("{id}", idFor(route)).replace("{recordId}", RECORD_ID);
        String body = switch (path) {
            case "/api/erasure" -> "{\"identifierSystem\":\"" + MRN_SYSTEM + "\",\"identifierValue\":\"" + MRN
                    + "\",\"reason\":\"security test\"}";
            case "/api/consents", "/api/consents/revoke", "/api/consents/check" -> "{\"identifierSystem\":\"" + MRN_SYSTEM
                    + "\",\"identifierValue\":\"" + MRN + "\",\"grantee\":\"security-test\"}";
            case "/fhir" -> "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
                    + "{\"resourceType\":\"Patient\"},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}]}";
            default -> "{\"resourceType\":\"Patient\"}";
        };
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", path.startsWith("/fhir") ? "application/fhir+json" : "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        request.method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String idFor(String route) {
        return route.contains("quarantine") ? quarantineId : "p1";
    }

    private static HttpResponse<String> get(URI uri, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String scopesExcept(Set<ApiRole> roles) {
        return Arrays.stream(ApiRole.values()).filter(r -> !roles.contains(r)).map(ApiRole::scope).collect(Collectors.joining(" "));
    }

    private static String token(String scope) {
        return TestTokens.sign("ES256", issuer.getPrivate(), TestTokens.claims(scope));
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + http + path);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
