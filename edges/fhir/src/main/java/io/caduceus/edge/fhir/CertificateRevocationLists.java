package io.caduceus.edge.fhir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CRL;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocation of client certificates from CRL files (caduceus.fhir.tls.crl-files; PEM or DER, several per file). A
 * CRL is only believed when it is signed by a CA of the trust store. The files are checked for changes at most once
 * per {@link #RECHECK} and reloaded whole when one changed; a changed file that cannot be read or verified keeps the
 * lists loaded before (an ERROR is logged), so that a CA's half-written update neither un-revokes nor locks out.
 */
final class CertificateRevocationLists {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateRevocationLists.class);
    static final Duration RECHECK = Duration.ofSeconds(1);

    /** Revokes nothing: no CRL file configured. */
    static final CertificateRevocationLists NONE = new CertificateRevocationLists(List.of(), List.of(), Clock.systemUTC());

    private final List<Path> files;
    private final List<X509Certificate> issuers;
    private final Clock clock;
    private Map<Path, List<Object>> loadedVersions = Map.of();
    private Map<X500Principal, List<X509CRL>> byIssuer = Map.of();
    private Instant checkedAt = Instant.MIN;

    /**
     * Loads the files now: a missing, malformed or unverifiable one stops the start.
     *
     * @param issuers the trust store's CA certificates, which must have signed every CRL
     */
    CertificateRevocationLists(List<Path> files, Collection<X509Certificate> issuers, Clock clock) {
        this.files = List.copyOf(files);
        this.issuers = List.copyOf(issuers);
        this.clock = clock;
        if (!files.isEmpty()) {
            if (issuers.isEmpty()) {
                throw new IllegalArgumentException("caduceus.fhir.tls.crl-files needs caduceus.fhir.tls.trust-store: "
                        + "a CRL is only accepted when signed by a trusted CA");
            }
            try {
                install(versions(), load());
            } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                throw new IllegalArgumentException("caduceus.fhir.tls.crl-files: " + e.getMessage(), e);
            }
            checkedAt = clock.instant();
        }
    }

    int size() {
        return files.size();
    }

    /** Whether a CRL of the certificate's issuer lists it; the files are reloaded first if they changed. */
    synchronized boolean isRevoked(X509Certificate certificate) {
        if (files.isEmpty()) {
            return false;
        }
        reloadIfChanged();
        for (X509CRL crl : byIssuer.getOrDefault(certificate.getIssuerX500Principal(), List.of())) {
            if (crl.isRevoked(certificate)) {
                return true;
            }
        }
        return false;
    }

    private void reloadIfChanged() {
        Instant now = clock.instant();
        if (now.isBefore(checkedAt.plus(RECHECK))) {
            return;
        }
        checkedAt = now;
        try {
            Map<Path, List<Object>> versions = versions();
            if (!versions.equals(loadedVersions)) {
                install(versions, load());
                LOG.info("client certificate revocation lists reloaded from {} files", files.size());
            }
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            LOG.error("client certificate revocation lists changed but cannot be used ({}: {}); the lists loaded "
                    + "before stay in force", e.getClass().getSimpleName(), e.getMessage());
        }
    }

    private void install(Map<Path, List<Object>> versions, Map<X500Principal, List<X509CRL>> crls) {
        Date now = Date.from(clock.instant());
        crls.values().stream().flatMap(List::stream).filter(crl -> crl.getNextUpdate() != null && crl.getNextUpdate().before(now))
                .forEach(crl -> LOG.warn("the CRL of {} was due for renewal at {}: revocations since are not known here",
                        crl.getIssuerX500Principal().getName(), crl.getNextUpdate().toInstant()));
        loadedVersions = versions;
        byIssuer = crls;
    }

    /** What tells a changed file: its modification time and size (a rewrite within one clock tick still changes size). */
    private Map<Path, List<Object>> versions() throws IOException {
        Map<Path, List<Object>> versions = new HashMap<>();
        for (Path file : files) {
            versions.put(file, List.of(Files.getLastModifiedTime(file), Files.size(file)));
        }
        return versions;
    }

    private Map<X500Principal, List<X509CRL>> load() throws IOException, GeneralSecurityException {
        Map<X500Principal, List<X509CRL>> crls = new HashMap<>();
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (Path file : files) {
            Collection<? extends CRL> read;
            try (InputStream in = Files.newInputStream(file)) {
                read = factory.generateCRLs(in);
            }
            if (read.isEmpty()) {
                throw new IllegalArgumentException(file + " holds no CRL");
            }
            for (CRL crl : read) {
                X509CRL x509 = (X509CRL) crl;
                verify(x509, file);
                crls.computeIfAbsent(x509.getIssuerX500Principal(), k -> new ArrayList<>()).add(x509);
            }
        }
        return crls;
    }

    private void verify(X509CRL crl, Path file) {
        for (X509Certificate issuer : issuers) {
            if (issuer.getSubjectX500Principal().equals(crl.getIssuerX500Principal())) {
                try {
                    crl.verify(issuer.getPublicKey());
                    return;
                } catch (GeneralSecurityException e) {
                    // another CA certificate with the same name (a renewed CA) may have signed it
                }
            }
        }
        throw new IllegalArgumentException("a CRL in " + file + " is not signed by a CA of the trust store");
    }
}
