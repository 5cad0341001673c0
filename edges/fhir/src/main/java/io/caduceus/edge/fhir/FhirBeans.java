package io.caduceus.edge.fhir;

import io.caduceus.core.hash.Digest;
import io.caduceus.core.domain.RecordId;
import java.util.function.Function;
import java.util.function.Supplier;
import ca.uhn.fhir.context.FhirContext;
import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.edge.access.ApiAccess;
import io.caduceus.edge.access.ApiAccessDenied;
import io.caduceus.edge.access.ApiAuthenticator;
import io.caduceus.edge.access.ApiCaller;
import io.caduceus.edge.consent.ConsentBeans;
import io.caduceus.edge.consent.ConsentMode;
import io.caduceus.edge.services.IngestServices;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the FHIR inbound beans once per application and binds them for camel/fhir-inbound.camel.yaml: the shared
 * validator (expensive, so warmed in the background at start), the authenticator (bearer tokens, client
 * certificates), the FHIR write beans ({@link FhirInbound}) and {@code fhirReader}, and the HTTPS listener when TLS is on.
 */
public final class FhirBeans {

    private static final Logger LOG = LoggerFactory.getLogger(FhirBeans.class);

    private FhirBeans() {
    }

    /**
     * @param ledgerCommitments the ledger commitment of a record, as the anchoring service knows it; asked per read,
     *                          since anchoring starts after these beans and may be off (then empty)
     */
    public static void register(CamelContext context, IngestServices ingest,
            Supplier<Optional<Function<RecordId, Optional<Digest>>>> ledgerCommitments) {
        FhirSettings settings = FhirSettings.from(context);
        FhirContext fhir = FhirContext.forR4Cached();
        BearerTokenVerifier verifier = tokenVerifier(context, settings, TokenSettings.from(context));
        FhirHttpsListener.Settings tls = FhirHttpsListener.Settings.from(context);
        ClientCertificateAuthenticator certificates = ClientCertificateAuthenticator.parse(context.getPropertiesComponent()
                .resolveProperty("caduceus.fhir.mtls.clients").orElse(""), revocationLists(context, tls));
        if (!verifier.configured() && certificates.size() == 0) {
            LOG.warn("FHIR inbound: no token issuer, audience or key configured (caduceus.fhir.auth.*) and no client "
                    + "certificate mapped (caduceus.fhir.mtls.clients): every FHIR request will be refused with 401");
        }
        if (certificates.size() > 0 && !tls.requestsClientCertificates()) {
            LOG.warn("FHIR inbound: {} client certificates are mapped, but no certificate is ever asked for "
                    + "(caduceus.fhir.tls.enabled, caduceus.fhir.tls.client-auth)", certificates.size());
        }
        FhirAuthenticator authenticator = new FhirAuthenticator(verifier, certificates);
        context.getRegistry().bind("apiAccess", new ApiAccess(apiAuthenticator(authenticator)));
        if (tls.enabled()) {
            addHttpsListener(context, new FhirHttpsListener(tls, fhir));
        }
        ProfileValidator validator = ProfileValidator.create(fhir, settings.profilesDirectory());
        FhirInbound inbound = new FhirInbound(fhir, settings, authenticator, validator,
                new FhirRecords(ingest.vault(), ingest.pseudonymizer(), ingest.recordIds()), ingest.vault(), ingest.resourceKeys(),
                CapabilityStatements.build(settings.resourceTypes(), validator.customProfiles(), settings.issuer(),
                        tls.requestsClientCertificates() && certificates.size() > 0, String.valueOf(FhirBeans.class.getPackage().getImplementationVersion())),
                ReferenceChecker.Policy.parse(context.getPropertiesComponent().resolveProperty("caduceus.fhir.references")
                        .orElse("check-format")));
        inbound.bind(context.getRegistry());
        LedgerIntegrity integrity = new LedgerIntegrity(ledgerCommitments);
        int everythingMaxRecords = Integer.parseInt(context.getPropertiesComponent()
                .resolveProperty("caduceus.fhir.read.everything-max-records").map(String::strip).orElse("1000"));
        context.getRegistry().bind("fhirReader", new FhirReader(fhir, settings, authenticator, ingest.vault(),
                ingest.resourceKeys(), ingest.deploymentKeys().keyFor(DeploymentKeys.Purpose.CALLER_ID), integrity,
                everythingMaxRecords, readConsent(context)));
        registerPoller(context, settings, inbound.store(), ingest);
        warmUp(validator);
        try {
            context.addStartupListener(new OversizedRequests(settings, authenticator, ingest, fhir));
        } catch (Exception e) {
            LOG.warn("FHIR inbound: oversized requests will be answered without an OperationOutcome: {}", e.getClass().getSimpleName());
        }
        LOG.info("FHIR inbound ready: {} resource types, bodies up to {} bytes", settings.resourceTypes().size(),
                settings.maxRequestBytes());
    }

    /** The consent beans are registered first; without them (an embedder that left them out) reads need no grant. */
    private static ReadConsent readConsent(CamelContext context) {
        ConsentMode mode = ConsentBeans.mode(context);
        return mode == ConsentMode.OFF ? ReadConsent.OFF
                : new ReadConsent(mode, ConsentBeans.checks(context).orElseThrow());
    }

    /** The operator APIs know their callers exactly as FHIR does: the same tokens, the same client certificates. */
    static ApiAuthenticator apiAuthenticator(FhirAuthenticator authenticator) {
        return exchange -> {
            try {
                BearerTokenVerifier.Caller caller = authenticator.authenticate(
                        exchange.getMessage().getHeader("Authorization", String.class),
                        ClientCertificateAuthenticator.verifiedCertificate(exchange));
                return new ApiCaller(caller.clientId(), caller.scopes());
            } catch (FhirRejection rejection) {
                String reason = rejection.issues().isEmpty() ? "access refused" : rejection.issues().get(0).diagnostics();
                throw new ApiAccessDenied(rejection.status(), reason,
                        rejection.wwwAuthenticate() == null ? null : rejection.wwwAuthenticate().replace("caduceus-fhir", "caduceus"));
            }
        };
    }

    private static CertificateRevocationLists revocationLists(CamelContext context, FhirHttpsListener.Settings tls) {
        List<Path> files = Arrays.stream(context.getPropertiesComponent().resolveProperty("caduceus.fhir.tls.crl-files")
                .orElse("").split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(Path::of).toList();
        if (files.isEmpty()) {
            return CertificateRevocationLists.NONE;
        }
        return new CertificateRevocationLists(files, FhirHttpsListener.trustedCertificates(tls), Clock.systemUTC());
    }

    private static BearerTokenVerifier tokenVerifier(CamelContext context, FhirSettings settings, TokenSettings tokens) {
        List<BearerTokenVerifier.IssuerKey> fromFiles = BearerTokenVerifier.loadKeys(settings.jwksFile(), settings.publicKeyFile());
        IssuerKeySource keys = IssuerKeySource.fixed(fromFiles);
        if (tokens.jwks().isPresent()) {
            JwksUrlKeys remote = new JwksUrlKeys(tokens.jwks().get(), Clock.systemUTC());
            try {
                // Started (first fetch, then the refresh timer) and stopped with the context.
                context.addService(remote, true, true);
            } catch (Exception e) {
                throw new IllegalStateException("cannot register the JWKS refresh with Camel", e);
            }
            keys = IssuerKeySource.combined(fromFiles, remote);
        }
        return new BearerTokenVerifier(settings.issuer(), settings.audience(), keys, settings.clockSkew(),
                tokens.maxLifetime(), Clock.systemUTC());
    }

    /**
     * Binds {@code fhirChangePoller} for camel/fhir-poll.camel.yaml. When polling is enabled its checkpoints are read
     * now, so that a bad checkpoint file or option stops the start instead of the first poll.
     */
    private static void registerPoller(CamelContext context, FhirSettings settings, FhirRecordStore store, IngestServices ingest) {
        FhirPollSettings poll = FhirPollSettings.from(context);
        if (!poll.enabled()) {
            context.getRegistry().bind("fhirChangePoller", FhirChangePoller.disabled(poll));
            return;
        }
        List<String> refused = poll.resourceTypes().stream().filter(t -> !settings.resourceTypes().contains(t)).toList();
        if (!refused.isEmpty()) {
            // Every resource of these would be quarantined as "type not accepted": a configuration mistake, not content.
            throw new IllegalArgumentException("caduceus.fhir.poll.resource-types " + refused
                    + " are not in caduceus.fhir.resource-types");
        }
        LegacyFhirClient.checkCredentialFiles(poll);
        FhirPollCheckpoints checkpoints = FhirPollCheckpoints.open(poll.checkpointFile(), poll.baseUrl().toString(), poll.since());
        context.getRegistry().bind("fhirChangePoller",
                new FhirChangePoller(poll, new LegacyFhirClient(poll), checkpoints, store, ingest.vault()));
        LOG.info("FHIR poll of {} ready: {} as client {}", poll.baseUrl(), String.join(", ", poll.resourceTypes()), poll.clientId());
    }

    private static void addHttpsListener(CamelContext context, FhirHttpsListener listener) {
        try {
            context.addStartupListener(listener);
        } catch (Exception e) {
            // TLS was asked for: carrying on over plain HTTP alone is not an option.
            throw new IllegalStateException("FHIR over HTTPS cannot be set up", e);
        }
    }

    /** The router of camel.server, once it has started; null before, or without a platform-http server. */
    static VertxPlatformHttpRouter platformRouter(CamelContext context) {
        int port = Integer.parseInt(context.resolvePropertyPlaceholders("{{camel.server.port}}"));
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        return router != null ? router : VertxPlatformHttpRouter.lookup(context);
    }

    /** The validator's first use loads every R4 conformance resource (seconds): pay that before the first request. */
    private static void warmUp(ProfileValidator validator) {
        Thread warm = new Thread(() -> {
            long start = System.nanoTime();
            validator.validate("{\"resourceType\":\"Patient\",\"gender\":\"unknown\"}", "Patient");
            LOG.info("FHIR validator warmed up in {} ms", (System.nanoTime() - start) / 1_000_000);
        }, "fhir-validator-warm-up");
        warm.setDaemon(true);
        warm.start();
    }

    /**
     * Bodies over the limit are refused before they are read: a declared Content-Length over it here, ahead of every
     * Camel route, and a chunked body by Vert.x's body handler once it crosses {@code camel.server.max-body-size}. Both
     * answer 413 with an OperationOutcome; a notice (no content: none was read) is quarantined afterwards, only for
     * callers with a valid token or client certificate so that anonymous ones cannot fill the quarantine.
     */
    private static final class OversizedRequests implements StartupListener {

        private final FhirSettings settings;
        private final FhirAuthenticator authenticator;
        private final IngestServices ingest;
        private final FhirContext fhir;

        OversizedRequests(FhirSettings settings, FhirAuthenticator authenticator, IngestServices ingest, FhirContext fhir) {
            this.settings = settings;
            this.authenticator = authenticator;
            this.ingest = ingest;
            this.fhir = fhir;
        }

        @Override
        public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
            // the router exists only once the HTTP server has started: see onCamelContextFullyStarted
        }

        @Override
        public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
            VertxPlatformHttpRouter router = platformRouter(context);
            if (router == null) {
                LOG.warn("FHIR inbound: no platform-http router found; oversized requests get a bare 413");
                return;
            }
            Vertx vertx = router.vertx();
            // Order -1: ahead of the Camel routes, whose body handler would read up to the limit first.
            router.route("/fhir/*").order(-1).handler(rc -> {
                String declared = rc.request().getHeader("Content-Length");
                if (declared != null && declared.strip().matches("\\d{1,18}") && Long.parseLong(declared.strip()) > settings.maxRequestBytes()) {
                    refuse(vertx, rc);
                } else {
                    rc.next();
                }
            });
            router.errorHandler(413, rc -> refuse(vertx, rc));
        }

        private void refuse(Vertx vertx, RoutingContext rc) {
            if (rc.response().ended()) {
                return;
            }
            if (!rc.request().path().startsWith("/fhir")) {
                rc.response().setStatusCode(413).end();
                return;
            }
            String contentType = rc.request().getHeader("Content-Type");
            FhirFormat format = FhirFormat.forResponse(rc.request().getParam("_format"), rc.request().getHeader("Accept"),
                    FhirFormat.ofRequest(contentType, new byte[0]));
            FhirRejection rejection = FhirRejection.content(413, IssueType.TOOCOSTLY,
                    "the request body is larger than " + settings.maxRequestBytes() + " bytes", null);
            String body = format.parser(fhir).encodeResourceToString(OperationOutcomes.of(rejection.issues()));
            // Answered at once (Vert.x ends an unanswered failure itself). The rest of the body is discarded, never
            // buffered: closing the connection under a client still sending would reset it before it read the answer.
            // Connection: close ends the connection once the request is over.
            rc.response().setStatusCode(413).putHeader("Content-Type", format.contentTypeHeader())
                    .putHeader("Connection", "close").end(body);
            if (!rc.request().isEnded()) {
                rc.request().handler(ignored -> { }).resume();
            }
            String authorization = rc.request().getHeader("Authorization");
            X509Certificate clientCertificate = ClientCertificateAuthenticator.verifiedCertificate(rc.request());
            String path = rc.request().path();
            Instant receivedAt = Instant.now();
            vertx.executeBlocking(() -> {
                BearerTokenVerifier.Caller caller;
                try {
                    caller = authenticator.authenticate(authorization, clientCertificate);
                } catch (FhirRejection e) {
                    return null;
                }
                String[] segments = path.split("/");
                String type = segments.length > 2 ? segments[2] : null;
                FhirExchange.Request request = new FhirExchange.Request(segments.length > 3 ? "update" : type == null ? "bundle" : "create",
                        type != null && type.matches("[A-Za-z]{1,64}") ? type : null, null, null, contentType, null, null, null,
                        receivedAt, caller);
                return FhirQuarantine.keep(ingest.vault(), request, rejection, new byte[0]).get("quarantineId");
            }, false).onFailure(e -> LOG.warn("FHIR inbound: oversized request not quarantined: {}", e.getClass().getSimpleName()));
        }
    }
}
