package io.caduceus.edge.fhir;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.core.domain.RecordIds;
import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.core.pseudonym.PatientPseudonymizer;
import io.caduceus.edge.records.ResourceKeys;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** The FHIR beans as the application builds them, for tests: Patient and Observation accepted, test issuer. */
final class FhirTestBeans {

    static final FhirContext FHIR = FhirContext.forR4Cached();
    static final FhirSettings SETTINGS = new FhirSettings(100_000, 64, null, List.of("Patient", "Observation"), "",
            TestTokens.ISSUER, TestTokens.AUDIENCE, null, null, Duration.ofSeconds(30), true);

    /** The deployment secret of these tests: 32 bytes of 9. */
    static final byte[] SECRET = filled(9);
    static final DeploymentKeys KEYS = new DeploymentKeys(SECRET);
    static final ResourceKeys RESOURCE_KEYS = new ResourceKeys(KEYS, true);

    private FhirTestBeans() {
    }

    private static byte[] filled(int value) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    /** A file vault in {@code dir} under a fixed test master key. */
    static RecordVault vault(Path dir) {
        byte[] master = new byte[32];
        Arrays.fill(master, (byte) 7);
        return FileRecordVault.open(dir, MasterKey.of(master));
    }

    /** Verifies tokens signed by {@code issuerKey}; null for a verifier that knows no key (every token refused). */
    static BearerTokenVerifier verifier(KeyPair issuerKey) {
        return new BearerTokenVerifier(TestTokens.ISSUER, TestTokens.AUDIENCE,
                issuerKey == null ? List.of() : BearerTokenVerifier.parsePem(TestTokens.pem(issuerKey)), Duration.ofSeconds(30),
                Clock.systemUTC());
    }

    static FhirInbound inbound(RecordVault vault, BearerTokenVerifier verifier, ProfileValidator validator) {
        return new FhirInbound(FHIR, SETTINGS, FhirAuthenticator.tokensOnly(verifier), validator,
                new FhirRecords(vault, new PatientPseudonymizer(SECRET), new RecordIds(KEYS)), vault, RESOURCE_KEYS,
                CapabilityStatements.build(SETTINGS.resourceTypes(), validator.customProfiles(), TestTokens.ISSUER, false, "test"));
    }
}
