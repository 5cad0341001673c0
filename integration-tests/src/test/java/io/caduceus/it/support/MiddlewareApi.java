package io.caduceus.it.support;

import io.caduceus.core.json.CanonicalJson;
import io.caduceus.it.TestIssuer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.UnaryOperator;

/**
 * The middleware's HTTP side as a test calls it: operator API requests on 127.0.0.1 and the public readiness check.
 * The port is asked for at each request, so one instance serves a test that restarts the middleware on new ports.
 */
public final class MiddlewareApi {

    // HTTP/1.1 as curl speaks it: the JDK client's h2c upgrade attempt hits a Netty HTTP/2 class mismatch on the
    // test classpath (NoSuchMethodError in the server's upgrade handler) and the request hangs.
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final IntSupplier port;
    private final UnaryOperator<HttpRequest.Builder> authorize;
    private final Duration timeout;

    private MiddlewareApi(IntSupplier port, UnaryOperator<HttpRequest.Builder> authorize, Duration timeout) {
        this.port = port;
        this.authorize = authorize;
        this.timeout = timeout;
    }

    /** Requests as the test issuer's operator (an in-test middleware or a process configured with its properties). */
    public static MiddlewareApi asOperator(IntSupplier port, Duration timeout) {
        return new MiddlewareApi(port, TestIssuer::asOperator, timeout);
    }

    /** Requests with a bearer token of the middleware's own issuer, e.g. from {@code ./caduceus token}. */
    public static MiddlewareApi withToken(int port, java.util.function.Supplier<String> token, Duration timeout) {
        return new MiddlewareApi(() -> port, request -> request.header("Authorization", "Bearer " + token.get()),
                timeout);
    }

    public HttpClient http() {
        return http;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port.getAsInt() + path);
    }

    /** An authorized GET. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(authorize.apply(HttpRequest.newBuilder(uri(path))).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** An authorized GET of a JSON object. */
    public Map<?, ?> getJson(String path) throws IOException, InterruptedException {
        return json(get(path).body());
    }

    /** The public readiness check, without credentials. */
    public HttpResponse<String> health() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri("/observe/health")).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until readiness says UP, retrying while the middleware does not listen yet. */
    public void awaitReady(Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> health = health();
                if (health.statusCode() == 200) {
                    return;
                }
                last = health.statusCode() + " " + health.body();
            } catch (IOException notYet) {
                last = notYet.toString(); // the middleware is not listening yet
            }
            Thread.sleep(200);
        }
        String status;
        try {
            status = get("/api/status").body();
        } catch (IOException e) {
            status = e.toString();
        }
        throw new AssertionError("readiness not UP within " + within + ": " + last + "; status " + status);
    }

    public static Map<?, ?> json(String body) {
        return (Map<?, ?>) CanonicalJson.parse(body);
    }

    /** A JSON number as a long; -1 for anything else, so that a missing figure fails a comparison. */
    public static long number(Object value) {
        return value instanceof Number n ? n.longValue() : -1;
    }
}
