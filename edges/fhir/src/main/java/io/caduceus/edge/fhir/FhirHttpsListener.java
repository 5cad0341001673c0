package io.caduceus.edge.fhir;

import io.caduceus.core.secrets.SecretFiles;
import ca.uhn.fhir.context.FhirContext;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.support.service.ServiceSupport;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS for the FHIR endpoint, optionally asking clients for a certificate: a second Vert.x listener serving the very
 * router of camel.server (same routes, handlers and limits). Not camel.server's own TLS: Camel 4.17 hands the
 * platform-http server key and trust managers but never sets Vert.x's client-auth mode, so the server would never ask
 * for a client certificate; and its key store passwords would have to sit in properties. The plain port keeps health,
 * management and the proof API for local callers, and with TLS on it refuses FHIR so that no PHI crosses it.
 */
final class FhirHttpsListener extends ServiceSupport implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(FhirHttpsListener.class);

    /** The {@code caduceus.fhir.tls.*} options, documented in application.properties ("FHIR R4 inbound"). */
    record Settings(boolean enabled, String host, int port, Path keyStore, Path keyStorePasswordFile, Path trustStore,
            Path trustStorePasswordFile, ClientAuth clientAuth) {

        static Settings from(CamelContext context) {
            return new Settings(Boolean.parseBoolean(property(context, "enabled", "false")),
                    property(context, "host", context.resolvePropertyPlaceholders("{{camel.server.host:0.0.0.0}}")),
                    Integer.parseInt(property(context, "port", "8443")),
                    path(property(context, "key-store", "")), path(property(context, "key-store-password-file", "")),
                    path(property(context, "trust-store", "")), path(property(context, "trust-store-password-file", "")),
                    clientAuth(property(context, "client-auth", "none")));
        }

        /** Whether clients are asked for a certificate at all. */
        boolean requestsClientCertificates() {
            return enabled && clientAuth != ClientAuth.NONE;
        }

        private static String property(CamelContext context, String name, String defaultValue) {
            return context.getPropertiesComponent().resolveProperty("caduceus.fhir.tls." + name).map(String::strip)
                    .filter(v -> !v.isEmpty()).orElse(defaultValue);
        }

        private static Path path(String value) {
            return value.isBlank() ? null : Path.of(value);
        }

        private static ClientAuth clientAuth(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "none" -> ClientAuth.NONE;
                case "request" -> ClientAuth.REQUEST;
                case "require" -> ClientAuth.REQUIRED;
                default -> throw new IllegalArgumentException("caduceus.fhir.tls.client-auth must be none, request or require");
            };
        }
    }

    private final Settings settings;
    private final HttpServerOptions options;
    private final FhirContext fhir;
    private volatile HttpServer server;

    /** Loads the key and trust stores now, so that a wrong path or password stops the start rather than the first call. */
    FhirHttpsListener(Settings settings, FhirContext fhir) {
        this.settings = settings;
        this.fhir = fhir;
        this.options = serverOptions(settings);
    }

    static HttpServerOptions serverOptions(Settings settings) {
        if (settings.keyStore() == null || settings.keyStorePasswordFile() == null) {
            throw new IllegalArgumentException("caduceus.fhir.tls.enabled needs caduceus.fhir.tls.key-store and "
                    + "caduceus.fhir.tls.key-store-password-file");
        }
        if (settings.clientAuth() != ClientAuth.NONE && settings.trustStore() == null) {
            throw new IllegalArgumentException("caduceus.fhir.tls.client-auth " + settings.clientAuth().name().toLowerCase(Locale.ROOT)
                    + " needs caduceus.fhir.tls.trust-store: the CAs whose client certificates are accepted");
        }
        HttpServerOptions options = new HttpServerOptions().setSsl(true).setClientAuth(settings.clientAuth());
        char[] keyPassword = password(settings.keyStorePasswordFile(), "key-store-password-file");
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(load(settings.keyStore(), keyPassword, "key-store"), keyPassword);
            options.setKeyCertOptions(KeyCertOptions.wrap(keys));
            if (settings.trustStore() != null) {
                // Only these CAs: the JDK's default cacerts would let any publicly issued certificate through.
                TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(load(settings.trustStore(), settings.trustStorePasswordFile() == null ? null
                        : password(settings.trustStorePasswordFile(), "trust-store-password-file"), "trust-store"));
                options.setTrustOptions(TrustOptions.wrap(trust));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("caduceus.fhir.tls: the key or trust store cannot be used: " + e.getClass().getSimpleName(), e);
        } finally {
            Arrays.fill(keyPassword, '\0');
        }
        return options;
    }

    /** The certificates of the trust store (none without one): the CAs whose CRLs are believed. */
    static List<X509Certificate> trustedCertificates(Settings settings) {
        if (settings.trustStore() == null) {
            return List.of();
        }
        try {
            KeyStore store = load(settings.trustStore(), settings.trustStorePasswordFile() == null ? null
                    : password(settings.trustStorePasswordFile(), "trust-store-password-file"), "trust-store");
            List<X509Certificate> certificates = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.getCertificate(alias) instanceof X509Certificate certificate) {
                    certificates.add(certificate);
                }
            }
            return certificates;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("caduceus.fhir.tls.trust-store cannot be used: " + e.getClass().getSimpleName(), e);
        }
    }

    private static KeyStore load(Path file, char[] password, String option) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        } catch (IOException e) {
            // Also a wrong password: PKCS12 reports it as an IOException.
            throw new IllegalArgumentException("caduceus.fhir.tls." + option + " " + file + " cannot be read as PKCS12 "
                    + "with its password: " + e.getClass().getSimpleName(), e);
        }
        return store;
    }

    /** The first line of the file: secrets stay out of properties, which end up in logs and process listings. */
    private static char[] password(Path file, String option) {
        return SecretFiles.readFirstLine(file, "caduceus.fhir.tls." + option).toCharArray();
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // the router exists only once the HTTP server has started: see onCamelContextFullyStarted
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) throws Exception {
        VertxPlatformHttpRouter router = FhirBeans.platformRouter(context);
        if (router == null) {
            throw new IllegalStateException("caduceus.fhir.tls.enabled, but there is no platform-http server to serve over HTTPS");
        }
        // Ahead of everything else, the size check included: FHIR on the plain port is refused unread.
        router.route().order(-2).handler(this::refusePlainFhir);
        HttpServer https = router.vertx().createHttpServer(options).requestHandler(router);
        server = https.listen(settings.port(), settings.host()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        context.addService(this, true, true);
        LOG.info("FHIR over HTTPS on {}:{}, client certificates: {}", settings.host(), server.actualPort(),
                settings.clientAuth().name().toLowerCase(Locale.ROOT));
    }

    /** The port actually listened on (the configured one, unless that was 0). */
    int port() {
        return server == null ? settings.port() : server.actualPort();
    }

    private void refusePlainFhir(RoutingContext rc) {
        String path = rc.normalizedPath();
        if (rc.request().isSSL() || !(path.equals("/fhir") || path.startsWith("/fhir/"))) {
            rc.next();
            return;
        }
        FhirFormat format = FhirFormat.forResponse(rc.request().getParam("_format"), rc.request().getHeader("Accept"), FhirFormat.JSON);
        FhirRejection rejection = FhirRejection.refused(403, IssueType.SECURITY, "FHIR is served over HTTPS only, on port " + port());
        rc.response().setStatusCode(403).putHeader("Content-Type", format.contentTypeHeader()).putHeader("Connection", "close")
                .end(format.parser(fhir).encodeResourceToString(OperationOutcomes.of(rejection.issues())));
        if (!rc.request().isEnded()) {
            // A body on its way is discarded, not read: Connection: close ends the connection once it is over.
            rc.request().handler(ignored -> { }).resume();
        }
    }

    @Override
    protected void doStop() throws Exception {
        HttpServer running = server;
        server = null;
        if (running != null) {
            running.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
