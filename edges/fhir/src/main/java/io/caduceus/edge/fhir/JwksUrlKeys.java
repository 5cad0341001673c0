package io.caduceus.edge.fhir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token issuer's keys as its JWKS URL serves them: fetched at start, again every refresh interval, and again
 * when a token names a key id not in the set (the issuer rotated its keys), at most once per minimum gap. A fetch
 * that fails (timeout, error status, not a JWKS, no usable key) keeps the last good set: an issuer that is briefly
 * down must not lock every client out.
 */
final class JwksUrlKeys implements IssuerKeySource, Service, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JwksUrlKeys.class);
    /** Real key sets are a few KiB; a bound keeps a misdirected URL from filling memory. */
    static final int MAX_BYTES = 512 * 1024;

    /** How the set is fetched and kept fresh; documented in application.properties (caduceus.fhir.auth.jwks-*). */
    record Settings(URI url, Duration timeout, Duration refreshInterval, Duration minRefreshGap) {
    }

    private final Settings settings;
    private final HttpClient http;
    private final Clock clock;
    private volatile List<BearerTokenVerifier.IssuerKey> keys = List.of();
    private Instant lastAttempt;
    private ScheduledExecutorService timer;

    JwksUrlKeys(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        requireSafeUrl(settings.url());
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Keys are public, but who serves them decides which tokens are honoured: plain HTTP would let anyone on the path
     * substitute their own. Loopback is allowed for tests and a sidecar.
     */
    static void requireSafeUrl(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (url.getHost() == null || !(scheme.equals("https") || scheme.equals("http") && isLoopback(url.getHost()))) {
            throw new IllegalArgumentException("caduceus.fhir.auth.jwks-url must be an https:// URL (http:// only to a "
                    + "loopback address), was " + url);
        }
    }

    private static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!host.matches("\\d{1,3}(\\.\\d{1,3}){3}|\\[?[0-9a-fA-F:]*:[0-9a-fA-F:]*]?")) {
            return false; // a name: resolving it here would make the check depend on DNS
        }
        try {
            return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public List<BearerTokenVerifier.IssuerKey> keys() {
        return keys;
    }

    @Override
    public boolean configured() {
        return true;
    }

    @Override
    public synchronized boolean refreshForUnknownKeyId() {
        if (lastAttempt != null && clock.instant().isBefore(lastAttempt.plus(settings.minRefreshGap()))) {
            return false;
        }
        return refresh();
    }

    /**
     * Fetches the set now, within the timeout.
     *
     * @return whether a new set was installed; false when the fetch failed and the last good set stays
     */
    synchronized boolean refresh() {
        lastAttempt = clock.instant();
        try {
            List<BearerTokenVerifier.IssuerKey> fetched = BearerTokenVerifier.parseJwks(new String(fetch(), StandardCharsets.UTF_8));
            if (fetched.isEmpty()) {
                throw new IllegalArgumentException("no RS256 or ES256 signing key in it");
            }
            keys = List.copyOf(fetched);
            LOG.debug("token issuer keys fetched from {}: {} keys", settings.url(), fetched.size());
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("token issuer keys could not be fetched from {} ({}: {}); keeping the {} keys fetched before",
                    settings.url(), e.getClass().getSimpleName(), e.getMessage(), keys.size());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private byte[] fetch() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(settings.url()).timeout(settings.timeout())
                .header("Accept", "application/jwk-set+json, application/json").GET().build();
        // The deadline covers the whole exchange, body included (the request timeout alone stops at the headers).
        CompletableFuture<byte[]> body = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                .thenApply(JwksUrlKeys::readBounded);
        try {
            return body.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            body.cancel(true);
            throw new IOException("no answer within " + settings.timeout().toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(cause);
        }
    }

    private static byte[] readBounded(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP status " + response.statusCode());
            }
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new IOException("the key set is larger than " + MAX_BYTES + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fetches the first set now (a failure is logged, and retried on schedule) and refreshes it periodically. */
    @Override
    public synchronized void start() {
        if (timer != null) {
            return;
        }
        refresh();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caduceus-jwks-refresh");
            t.setDaemon(true);
            return t;
        });
        long period = settings.refreshInterval().toMillis();
        timer.scheduleWithFixedDelay(this::refresh, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        close();
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
