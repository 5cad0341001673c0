package io.caduceus.edge.consent;

import io.caduceus.adapters.fabric.ConsentLedger;
import java.util.function.Supplier;
import io.caduceus.edge.services.IngestServices;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the consent beans: {@value #SETTINGS} and {@value #CHECKS} for the FHIR read path, {@value #API} for
 * camel/consent.camel.yaml. Registered before the FHIR beans, which look the first two up.
 */
public final class ConsentBeans {

    private static final Logger LOG = LoggerFactory.getLogger(ConsentBeans.class);

    public static final String SETTINGS = "consentSettings";
    public static final String CHECKS = "consentChecks";
    public static final String API = "consentApi";

    private ConsentBeans() {
    }

    /**
     * @param ledgerConfigured whether Fabric is configured
     * @param consentLedger    the ledger's consent contract, asked per check: the ledger starts after these beans
     */
    public static void register(CamelContext context, IngestServices ingest, boolean ledgerConfigured,
            Supplier<Optional<ConsentLedger>> consentLedger) {
        ConsentSettings settings = ConsentSettings.from(context, ledgerConfigured);
        ConsentChecks checks = new ConsentChecks(consentLedger, settings);
        context.getRegistry().bind(SETTINGS, settings);
        context.getRegistry().bind(CHECKS, checks);
        context.getRegistry().bind(API, new ConsentApi(checks, ingest.pseudonymizer()));
        LOG.info("FHIR reads consult consent grants: {} (answers kept {} ms)", settings.mode().code(),
                settings.cacheTime().toMillis());
    }

    /** For the FHIR read path: the settings and checks bound here, or consent off when none are bound. */
    public static Optional<ConsentChecks> checks(CamelContext context) {
        return Optional.ofNullable(context.getRegistry().lookupByNameAndType(CHECKS, ConsentChecks.class));
    }

    public static ConsentMode mode(CamelContext context) {
        return Optional.ofNullable(context.getRegistry().lookupByNameAndType(SETTINGS, ConsentSettings.class))
                .map(ConsentSettings::mode).orElse(ConsentMode.OFF);
    }
}
