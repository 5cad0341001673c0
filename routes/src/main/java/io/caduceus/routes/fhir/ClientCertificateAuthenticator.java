package io.caduceus.routes.fhir;

import io.vertx.core.http.HttpServerRequest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * Maps the subject of a client certificate, already verified by the TLS layer (chain up to the configured trust
 * store, validity period, extended key usage), to a client id and the SMART scopes granted to it.
 *
 * <p>Configuration ({@code caduceus.fhir.mtls.clients}): entries separated by {@code ;}, each
 * {@code <client id>: <subject DN> => <scopes>}, e.g.
 * {@code lab: CN=lab-system,O=General Hospital => system/Observation.write system/Patient.read}. Subjects are compared
 * in the RFC 4514 canonical form of {@link X500Principal#CANONICAL} (case, spacing and string encodings do not matter;
 * the order of the attributes does). The separators cannot clash with a subject: RFC 4514 requires {@code ;} and
 * {@code >} inside a value to be escaped.
 */
final class ClientCertificateAuthenticator {

    /** Accepts no certificate: for deployments that authenticate with bearer tokens only. */
    static final ClientCertificateAuthenticator NONE = new ClientCertificateAuthenticator(Map.of());

    // The client id ends up in SourceSystem and in access events: no separators, no control characters.
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern UNESCAPED_SEMICOLON = Pattern.compile("(?<!\\\\);");

    private final Map<String, BearerTokenVerifier.Caller> callersBySubject;

    private ClientCertificateAuthenticator(Map<String, BearerTokenVerifier.Caller> callersBySubject) {
        this.callersBySubject = Map.copyOf(callersBySubject);
    }

    /** Reads the configuration; a malformed entry fails the start, naming the entry by position only. */
    static ClientCertificateAuthenticator parse(String clients) {
        Map<String, BearerTokenVerifier.Caller> callers = new LinkedHashMap<>();
        if (clients == null || clients.isBlank()) {
            return NONE;
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
                throw new IllegalArgumentException(where + "expected '<client id>: <subject DN> => <scopes>'");
            }
            String clientId = entry.substring(0, colon).strip();
            if (!CLIENT_ID.matcher(clientId).matches()) {
                throw new IllegalArgumentException(where + "a client id has 1 to 64 characters A-Z a-z 0-9 . _ -");
            }
            String subject;
            try {
                subject = canonical(new X500Principal(entry.substring(colon + 1, arrow).strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "the subject is not an RFC 4514 distinguished name", e);
            }
            Set<String> scopes = new LinkedHashSet<>(Arrays.asList(entry.substring(arrow + 2).strip().split("\\s+")));
            scopes.remove("");
            if (scopes.isEmpty()) {
                throw new IllegalArgumentException(where + "no scopes granted");
            }
            if (callers.putIfAbsent(subject, new BearerTokenVerifier.Caller(clientId, Set.copyOf(scopes))) != null) {
                throw new IllegalArgumentException(where + "the same subject is mapped twice");
            }
        }
        return new ClientCertificateAuthenticator(callers);
    }

    /** How many certificate subjects are granted access. */
    int size() {
        return callersBySubject.size();
    }

    /**
     * The caller a verified certificate subject stands for. A subject not configured is authenticated but granted
     * nothing: 403, never 401, since presenting another credential on the same connection would not change it.
     */
    BearerTokenVerifier.Caller authenticate(X500Principal subject) throws FhirRejection {
        BearerTokenVerifier.Caller caller = callersBySubject.get(canonical(subject));
        if (caller == null) {
            throw FhirRejection.refused(403, IssueType.FORBIDDEN, "the client certificate is not granted access to this server");
        }
        return caller;
    }

    /**
     * The subject of the client certificate the TLS layer verified for this request's connection, or null: plain
     * HTTP, no certificate presented, or an exchange that did not come from the platform-http server. Read from the
     * TLS session itself, never from a header, so that no client can claim an identity.
     */
    static X500Principal verifiedSubject(Exchange exchange) {
        return exchange.getIn() instanceof HttpMessage http ? verifiedSubject(http.getRequest()) : null;
    }

    static X500Principal verifiedSubject(HttpServerRequest request) {
        if (request == null || !request.isSSL()) {
            return null;
        }
        SSLSession session = request.sslSession();
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? leaf.getSubjectX500Principal() : null;
        } catch (SSLPeerUnverifiedException e) {
            return null; // client-auth "request" and the client sent none
        }
    }

    private static String canonical(X500Principal subject) {
        return subject.getName(X500Principal.CANONICAL);
    }
}
