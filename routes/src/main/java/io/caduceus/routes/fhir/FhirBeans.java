package io.caduceus.routes.fhir;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.routes.anchor.AnchoringBeans;
import io.caduceus.routes.anchor.AnchoringService;
import io.caduceus.routes.hl7.IngestServices;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the FHIR inbound beans once per application and binds them for camel/fhir-inbound.camel.yaml: the shared
 * validator (expensive, so warmed in the background at start), the token verifier and the {@code fhirInbound} bean.
 */
public final class FhirBeans {

    private static final Logger LOG = LoggerFactory.getLogger(FhirBeans.class);

    private FhirBeans() {
    }

    public static void register(CamelContext context, IngestServices ingest) {
        FhirSettings settings = FhirSettings.from(context);
        FhirContext fhir = FhirContext.forR4Cached();
        BearerTokenVerifier verifier = new BearerTokenVerifier(settings.issuer(), settings.audience(),
                BearerTokenVerifier.loadKeys(settings.jwksFile(), settings.publicKeyFile()), settings.clockSkew(),
                Clock.systemUTC());
        if (!verifier.configured()) {
            LOG.warn("FHIR inbound: no token issuer, audience or key configured (caduceus.fhir.auth.*): every FHIR write "
                    + "will be refused with 401");
        }
        ProfileValidator validator = ProfileValidator.create(fhir, settings.profilesDirectory());
        FhirInbound inbound = new FhirInbound(fhir, settings, verifier, validator,
                new FhirRecords(ingest.vault(), ingest.pseudonymizer()), ingest.vault(),
                CapabilityStatements.build(settings.resourceTypes(), validator.customProfiles(), settings.issuer(), false,
                        String.valueOf(FhirBeans.class.getPackage().getImplementationVersion())));
        context.getRegistry().bind("fhirInbound", inbound);
        // Looked up per read: the anchoring service is registered after these beans, and may be off.
        LedgerIntegrity integrity = new LedgerIntegrity(() -> Optional.ofNullable(context.getRegistry()
                .lookupByNameAndType(AnchoringBeans.SERVICE, AnchoringService.class)).map(service -> service::ledgerCommitment));
        int everythingMaxRecords = Integer.parseInt(context.getPropertiesComponent()
                .resolveProperty("caduceus.fhir.read.everything-max-records").map(String::strip).orElse("1000"));
        context.getRegistry().bind("fhirReader", new FhirReader(fhir, settings, verifier, ingest.vault(), integrity,
                everythingMaxRecords));
        warmUp(validator);
        try {
            context.addStartupListener(new OversizedRequests(settings, verifier, ingest, fhir));
        } catch (Exception e) {
            LOG.warn("FHIR inbound: oversized requests will be answered without an OperationOutcome: {}", e.getClass().getSimpleName());
        }
        LOG.info("FHIR inbound ready: {} resource types, bodies up to {} bytes", settings.resourceTypes().size(),
                settings.maxRequestBytes());
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
     * callers with a valid token so that anonymous ones cannot fill the quarantine.
     */
    private static final class OversizedRequests implements StartupListener {

        private final FhirSettings settings;
        private final BearerTokenVerifier verifier;
        private final IngestServices ingest;
        private final FhirContext fhir;

        OversizedRequests(FhirSettings settings, BearerTokenVerifier verifier, IngestServices ingest, FhirContext fhir) {
            this.settings = settings;
            this.verifier = verifier;
            this.ingest = ingest;
            this.fhir = fhir;
        }

        @Override
        public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
            // the router exists only once the HTTP server has started: see onCamelContextFullyStarted
        }

        @Override
        public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
            int port = Integer.parseInt(context.resolvePropertyPlaceholders("{{camel.server.port}}"));
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port));
            if (router == null) {
                router = VertxPlatformHttpRouter.lookup(context);
            }
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
            String path = rc.request().path();
            Instant receivedAt = Instant.now();
            vertx.executeBlocking(() -> {
                BearerTokenVerifier.Caller caller;
                try {
                    caller = verifier.verify(authorization);
                } catch (FhirRejection e) {
                    return null;
                }
                String[] segments = path.split("/");
                String type = segments.length > 2 ? segments[2] : null;
                FhirInbound.Request request = new FhirInbound.Request(segments.length > 3 ? "update" : type == null ? "bundle" : "create",
                        type != null && type.matches("[A-Za-z]{1,64}") ? type : null, null, null, contentType, null, null, null,
                        receivedAt, caller);
                return FhirInbound.keep(ingest.vault(), request, rejection, new byte[0]).get("quarantineId");
            }, false).onFailure(e -> LOG.warn("FHIR inbound: oversized request not quarantined: {}", e.getClass().getSimpleName()));
        }
    }
}
