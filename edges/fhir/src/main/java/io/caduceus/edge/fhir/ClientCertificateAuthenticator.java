package io.caduceus.edge.fhir;

import io.vertx.core.http.HttpServerRequest;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * Maps a client certificate, already verified by the TLS layer (chain up to the configured trust store, validity
 * period, extended key usage), to a client id and the SMART scopes granted to it, after checking it against the
 * configured revocation lists.
 *
 * <p>Configuration ({@code caduceus.fhir.mtls.clients}): entries separated by {@code ;}, each
 * {@code <client id>: <certificate> => <scopes>}, where the certificate is named in one of two ways:
 * <ul>
 *   <li>{@code serial=<hex>, issuer=<issuer DN>}: the serial number the issuing CA gave it (hex, as
 *   {@code openssl x509 -serial} prints it) and that CA's subject (RFC 4514, compared canonically). A CA never
 *   issues two certificates with one serial, so this names exactly one certificate;</li>
 *   <li>{@code sha256:<hex>}: the SHA-256 of the certificate's public key (its DER SubjectPublicKeyInfo), which
 *   survives renewals that keep the key.</li>
 * </ul>
 * A subject DN alone is refused at start: any CA of the trust store could issue a certificate with the same subject.
 * The separators cannot clash: RFC 4514 requires {@code ;} and {@code >} inside a DN value to be escaped.
 */
final class ClientCertificateAuthenticator {

    /** Accepts no certificate: for deployments that authenticate with bearer tokens only. */
    static final ClientCertificateAuthenticator NONE = new ClientCertificateAuthenticator(Map.of(), CertificateRevocationLists.NONE);

    // The client id ends up in SourceSystem and in access events: no separators, no control characters.
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern UNESCAPED_SEMICOLON = Pattern.compile("(?<!\\\\);");
    private static final Pattern KEY_HASH = Pattern.compile("(?i)sha256:((?:[0-9a-f]{2}:?){31}[0-9a-f]{2})");
    private static final Pattern SERIAL_AND_ISSUER = Pattern.compile("(?is)serial\\s*=\\s*(?:0x)?([0-9a-f:]+)\\s*,\\s*issuer\\s*=(.+)");
    static final String FORMS = "'<client id>: serial=<hex serial number>, issuer=<issuer DN> => <scopes>' or "
            + "'<client id>: sha256:<hex SHA-256 of the certificate's public key (SubjectPublicKeyInfo)> => <scopes>'";

    private final Map<String, BearerTokenVerifier.Caller> callersByCertificate;
    private final CertificateRevocationLists revocations;

    private ClientCertificateAuthenticator(Map<String, BearerTokenVerifier.Caller> callersByCertificate,
            CertificateRevocationLists revocations) {
        this.callersByCertificate = Map.copyOf(callersByCertificate);
        this.revocations = revocations;
    }

    static ClientCertificateAuthenticator parse(String clients) {
        return parse(clients, CertificateRevocationLists.NONE);
    }

    /** Reads the configuration; a malformed entry fails the start, naming the entry by position only. */
    static ClientCertificateAuthenticator parse(String clients, CertificateRevocationLists revocations) {
        Map<String, BearerTokenVerifier.Caller> callers = new LinkedHashMap<>();
        if (clients == null || clients.isBlank()) {
            return revocations.size() == 0 ? NONE : new ClientCertificateAuthenticator(callers, revocations);
        }
        String[] entries = UNESCAPED_SEMICOLON.split(clients);
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].strip();
            if (entry.isEmpty()) {
                continue;
            }
            String where = "caduceus.fhir.mtls.clients, entry " + (i + 1) + ": ";
            int colon = entry.indexOf(':');
            int arrow = entry.indexOf("=>");
            if (colon < 0 || arrow < colon) {
                throw new IllegalArgumentException(where + "expected " + FORMS);
            }
            String clientId = entry.substring(0, colon).strip();
            if (!CLIENT_ID.matcher(clientId).matches()) {
                throw new IllegalArgumentException(where + "a client id has 1 to 64 characters A-Z a-z 0-9 . _ -");
            }
            String certificate = identity(entry.substring(colon + 1, arrow).strip(), where);
            Set<String> scopes = new LinkedHashSet<>(Arrays.asList(entry.substring(arrow + 2).strip().split("\\s+")));
            scopes.remove("");
            if (scopes.isEmpty()) {
                throw new IllegalArgumentException(where + "no scopes granted");
            }
            if (callers.putIfAbsent(certificate, new BearerTokenVerifier.Caller(clientId, Set.copyOf(scopes))) != null) {
                throw new IllegalArgumentException(where + "the same certificate is mapped twice");
            }
        }
        return new ClientCertificateAuthenticator(callers, revocations);
    }

    private static String identity(String text, String where) {
        Matcher hash = KEY_HASH.matcher(text);
        if (hash.matches()) {
            return keyHashIdentity(HexFormat.of().parseHex(hash.group(1).replace(":", "").toLowerCase(Locale.ROOT)));
        }
        Matcher serialAndIssuer = SERIAL_AND_ISSUER.matcher(text);
        if (serialAndIssuer.matches()) {
            String hex = serialAndIssuer.group(1).replace(":", "");
            if (hex.isEmpty()) {
                throw new IllegalArgumentException(where + "the serial number is empty");
            }
            X500Principal issuer;
            try {
                issuer = new X500Principal(serialAndIssuer.group(2).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "the issuer is not an RFC 4514 distinguished name", e);
            }
            return serialIdentity(new BigInteger(hex, 16), issuer);
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("sha256:")) {
            throw new IllegalArgumentException(where + "a public key hash is sha256: and 64 hex digits (colons allowed)");
        }
        if (lower.startsWith("serial")) {
            throw new IllegalArgumentException(where + "expected 'serial=<hex serial number>, issuer=<issuer DN>'");
        }
        // Most likely the subject-DN form this option used to take: say what replaced it.
        throw new IllegalArgumentException(where + "a client certificate is no longer identified by its subject alone "
                + "(any trusted CA could issue another with the same subject); name it as " + FORMS
                + ". openssl x509 -noout -serial -issuer -nameopt RFC2253 -in <cert> prints serial and issuer");
    }

    private static String keyHashIdentity(byte[] sha256) {
        return "sha256:" + HexFormat.of().formatHex(sha256);
    }

    private static String serialIdentity(BigInteger serial, X500Principal issuer) {
        return "serial:" + serial.toString(16) + "|" + issuer.getName(X500Principal.CANONICAL);
    }

    /** The SHA-256 of a certificate's public key (DER SubjectPublicKeyInfo), in the form the configuration uses. */
    static String publicKeyHash(X509Certificate certificate) {
        try {
            return keyHashIdentity(MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** How many client certificates are granted access. */
    int size() {
        return callersByCertificate.size();
    }

    /**
     * The caller a verified certificate stands for. A revoked certificate is refused (401: its holder may still
     * present a token). A certificate not configured is authenticated but granted nothing: 403, never 401.
     */
    BearerTokenVerifier.Caller authenticate(X509Certificate certificate) throws FhirRejection {
        if (revocations.isRevoked(certificate)) {
            throw FhirRejection.unauthenticated(null, "the client certificate has been revoked");
        }
        BearerTokenVerifier.Caller caller = callersByCertificate.get(serialIdentity(certificate.getSerialNumber(),
                certificate.getIssuerX500Principal()));
        if (caller == null) {
            caller = callersByCertificate.get(publicKeyHash(certificate));
        }
        if (caller == null) {
            throw FhirRejection.refused(403, IssueType.FORBIDDEN, "the client certificate is not granted access to this server");
        }
        return caller;
    }

    /**
     * The client certificate the TLS layer verified for this request's connection, or null: plain HTTP, no
     * certificate presented, or an exchange that did not come from the platform-http server. Read from the TLS session
     * itself, never from a header, so that no client can claim an identity.
     */
    static X509Certificate verifiedCertificate(Exchange exchange) {
        return exchange.getIn() instanceof HttpMessage http ? verifiedCertificate(http.getRequest()) : null;
    }

    static X509Certificate verifiedCertificate(HttpServerRequest request) {
        if (request == null || !request.isSSL()) {
            return null;
        }
        SSLSession session = request.sslSession();
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? leaf : null;
        } catch (SSLPeerUnverifiedException e) {
            return null; // client-auth "request" and the client sent none
        }
    }
}
