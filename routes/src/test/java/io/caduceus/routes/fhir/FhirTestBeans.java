package io.caduceus.routes.fhir;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.adapters.vault.RecordVault;
import io.caduceus.core.pseudonym.PatientPseudonymizer;
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

    private FhirTestBeans() {
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
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) 9);
        return new FhirInbound(FHIR, SETTINGS, FhirAuthenticator.tokensOnly(verifier), validator,
                new FhirRecords(vault, new PatientPseudonymizer(secret)), vault,
                CapabilityStatements.build(SETTINGS.resourceTypes(), validator.customProfiles(), TestTokens.ISSUER, false, "test"));
    }
}
