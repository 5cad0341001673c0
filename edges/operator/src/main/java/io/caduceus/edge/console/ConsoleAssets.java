package io.caduceus.edge.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * {@code GET /console/...}: the operator console's static shell (HTML, CSS, JavaScript from
 * {@code classpath:console/}). Public on purpose: it holds no data and no secret, and a browser must load it before
 * the operator has pasted a token; everything it shows comes from the {@code /api/*} endpoints, each behind its role.
 * Only the files listed here are served (no path is ever resolved against the class path), each with headers that keep
 * it from being framed, sniffed or made to run a script the server did not send.
 */
public final class ConsoleAssets {

    /**
     * No inline script or style, nothing from another origin, except {@code connect-src http: https:}: the proof page
     * asks the Ethereum JSON-RPC endpoint the auditor types in, which can be anywhere.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self' http: https:; form-action 'none'; base-uri 'none'; "
            + "frame-ancestors 'none'";

    /** The headers every console file is sent with. */
    static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer",
            "Cache-Control", "no-cache");

    private static final Map<String, String> FILES = new LinkedHashMap<>();

    static {
        FILES.put("index.html", "text/html; charset=utf-8");
        FILES.put("console.css", "text/css; charset=utf-8");
        FILES.put("console.js", "text/javascript; charset=utf-8");
        FILES.put("proof-verify.js", "text/javascript; charset=utf-8");
    }

    private final Map<String, byte[]> content = new LinkedHashMap<>();

    ConsoleAssets() {
        for (String name : FILES.keySet()) {
            try (InputStream in = ConsoleAssets.class.getResourceAsStream("/console/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("console file missing from the build: console/" + name);
                }
                content.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public void serve(Exchange exchange) {
        Message message = exchange.getMessage();
        String name = fileName(message.getHeader(Exchange.HTTP_PATH, String.class),
                message.getHeader(Exchange.HTTP_URI, String.class));
        message.removeHeaders("*");
        SECURITY_HEADERS.forEach(message::setHeader);
        byte[] body = name == null ? null : content.get(name);
        if (body == null) {
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
            message.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
            message.setBody("not found");
            return;
        }
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, FILES.get(name));
        message.setBody(body);
    }

    /** The console file a request path names, or null; {@code /console} and {@code /console/} are the page. */
    static String fileName(String httpPath, String httpUri) {
        String path = httpUri != null ? httpUri : httpPath;
        if (path == null) {
            return "index.html";
        }
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        // The URI may come absolute (scheme and host) or as a path: what follows the console's prefix is the name.
        int prefix = path.indexOf("/console");
        if (prefix < 0 || path.substring(0, prefix).contains("/") && !path.substring(0, prefix).contains("://")) {
            return null;
        }
        path = path.substring(prefix + "/console".length());
        if (!path.isEmpty() && !path.startsWith("/")) {
            return null;
        }
        if (path.isEmpty() || path.equals("/")) {
            return "index.html";
        }
        String name = path.startsWith("/") ? path.substring(1) : path;
        return FILES.containsKey(name) ? name : null;
    }
}
