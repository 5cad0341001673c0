package io.caduceus.edge.fhir;

import io.caduceus.core.secrets.SecretFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Searches the legacy FHIR server for what changed: one GET per page, each with a deadline covering the whole answer
 * (the JDK client's own timeout stops at the response headers), an answer size cap, and its credentials sent only to
 * the configured origin. Error answers are never read: they may echo patient data.
 */
final class LegacyFhirClient {

    private final FhirPollSettings settings;
    private final HttpClient http;

    LegacyFhirClient(FhirPollSettings settings) {
        this.settings = settings;
        // HTTP/1.1 only: legacy servers and proxies mishandle the h2c upgrade the client would otherwise attempt.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * The search for {@code resourceType} changed at or after {@code since} (everything when null), oldest first; its
     * first page.
     */
    URI searchUri(String resourceType, String since) {
        StringBuilder query = new StringBuilder();
        if (since != null) {
            query.append("_lastUpdated=").append(URLEncoder.encode("ge" + since, StandardCharsets.UTF_8)).append('&');
        }
        query.append("_sort=_lastUpdated&_count=").append(settings.pageSize());
        return URI.create(settings.baseUrl() + "/" + resourceType + "?" + query);
    }

    /**
     * Resolves a next link against the page it came from; refuses one leaving the configured server, which would
     * otherwise receive its credentials.
     */
    URI resolveNext(URI page, String next) throws LegacyFhirException {
        URI resolved;
        try {
            resolved = page.resolve(next);
        } catch (IllegalArgumentException e) {
            throw new LegacyFhirException("a next link is not a URL");
        }
        URI base = settings.baseUrl();
        if (!base.getScheme().equalsIgnoreCase(String.valueOf(resolved.getScheme()))
                || !base.getHost().equalsIgnoreCase(String.valueOf(resolved.getHost()))
                || port(base) != port(resolved)) {
            throw new LegacyFhirException("a next link leads away from caduceus.fhir.poll.base-url; not followed");
        }
        return resolved;
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** A page of search results: the first, or one a previous page's next link named. */
    FhirSearchPage fetch(URI uri) throws LegacyFhirException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(settings.requestTimeout()).GET()
                .header("Accept", "application/fhir+json");
        String authorization = authorization();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        CompletableFuture<HttpResponse<byte[]>> answer = http.sendAsync(request.build(), info -> info.statusCode() == 200
                ? new CappedBody(settings.maxPageBytes())
                : HttpResponse.BodySubscribers.<byte[]>replacing(null));
        HttpResponse<byte[]> response;
        try {
            response = answer.get(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new LegacyFhirException("no complete answer within " + settings.requestTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new LegacyFhirException("interrupted while waiting for the legacy FHIR server");
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        }
        if (response.statusCode() != 200) {
            throw new LegacyFhirException("the server answered HTTP " + response.statusCode());
        }
        return FhirSearchPage.parse(response.body());
    }

    private LegacyFhirException failure(Throwable cause) {
        if (cause instanceof PageTooLarge) {
            return new LegacyFhirException("a page is larger than caduceus.fhir.poll.max-page-bytes ("
                    + settings.maxPageBytes() + " bytes)");
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return new LegacyFhirException("no connection within " + settings.connectTimeout().toMillis() + " ms");
        }
        if (cause instanceof HttpTimeoutException) {
            return new LegacyFhirException("no answer within " + settings.requestTimeout().toMillis() + " ms");
        }
        // The class only: a protocol error's message may quote what the server sent.
        return new LegacyFhirException("request failed: " + cause.getClass().getSimpleName());
    }

    /** Read for every request, so that a rotated token or password is used without a restart. */
    private String authorization() throws LegacyFhirException {
        try {
            if (settings.bearerTokenFile() != null) {
                return "Bearer " + secret(settings.bearerTokenFile(), TOKEN_FILE);
            }
            if (settings.username() != null) {
                String pair = settings.username() + ":" + secret(settings.passwordFile(), PASSWORD_FILE);
                return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
            }
            return null;
        } catch (SecretFiles.InsecureSecretFileException e) {
            throw new LegacyFhirException("the legacy FHIR server's credentials cannot be used: " + e.getMessage());
        }
    }

    static final String TOKEN_FILE = "the legacy FHIR server's bearer token (caduceus.fhir.poll.auth.bearer-token-file)";
    static final String PASSWORD_FILE = "the legacy FHIR server's password (caduceus.fhir.poll.auth.password-file)";

    /** Refuses, at start, credential files that group or others can read. */
    static void checkCredentialFiles(FhirPollSettings settings) {
        if (settings.bearerTokenFile() != null) {
            SecretFiles.requireOwnerOnly(settings.bearerTokenFile(), TOKEN_FILE);
        }
        if (settings.passwordFile() != null) {
            SecretFiles.requireOwnerOnly(settings.passwordFile(), PASSWORD_FILE);
        }
    }

    private static String secret(Path file, String purpose) {
        return new String(SecretFiles.read(file, purpose), StandardCharsets.UTF_8).strip();
    }

    /** The answer's size exceeded the cap. */
    private static final class PageTooLarge extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /** Collects an answer up to a size, and gives up (closing the connection) beyond it rather than buffering on. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {

        private final long max;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        CappedBody(long max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = Objects.requireNonNull(s);
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if (buffer.size() + (long) item.remaining() > max) {
                    subscription.cancel();
                    body.completeExceptionally(new PageTooLarge());
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                buffer.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            body.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            body.complete(buffer.toByteArray());
        }
    }
}
