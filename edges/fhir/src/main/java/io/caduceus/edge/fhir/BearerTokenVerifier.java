package io.caduceus.edge.fhir;

import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Verifies OAuth2 bearer access tokens that are JWS compact JWTs signed by the configured issuer, with the JDK's own
 * {@link Signature} (no JOSE library: the two algorithms needed are a few lines each, and fewer dependencies means
 * fewer ways to be tricked into {@code alg=none} or an HMAC keyed with a public key).
 *
 * <p>Accepted: RS256 with an RSA key of at least 2048 bits, ES256 with a P-256 key. Required claims: {@code iss}
 * equal to the issuer, {@code aud} equal to or containing the audience, {@code exp} in the future; {@code nbf} when
 * present must have passed. Both time checks allow the configured clock skew. A {@code crit} header is refused
 * because no extension is understood. A {@code typ} header, when present, must name a JWT or an access token
 * (RFC 9068), so that other JWTs the issuer signs (logout tokens, DPoP proofs, security events) are not taken for
 * access tokens. A token may live at most the maximum lifetime ({@code exp - iat}, or {@code exp - now} without
 * {@code iat}): a leaked long-lived token stays useful for too long.
 */
final class BearerTokenVerifier {

    /** Who made the request, as far as the token says. */
    record Caller(String clientId, Set<String> scopes) {
    }

    private static final int MAX_TOKEN_CHARS = 16 * 1024;
    private static final Pattern PEM = Pattern.compile("-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");

    /** A verification key with the algorithm it may be used for (a key is never tried with the other one). */
    record IssuerKey(String kid, String alg, PublicKey key) {
    }

    /** The default of caduceus.fhir.auth.max-token-lifetime-seconds. */
    static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(1);
    /** Media types of typ (RFC 7515 4.1.9: "application/" may be left out, and they compare case-insensitively). */
    private static final Set<String> ACCEPTED_TYPES = Set.of("jwt", "application/jwt", "at+jwt", "application/at+jwt");

    private final String issuer;
    private final String audience;
    private final IssuerKeySource keys;
    private final Duration clockSkew;
    private final Duration maxLifetime;
    private final Clock clock;

    BearerTokenVerifier(String issuer, String audience, List<IssuerKey> keys, Duration clockSkew, Clock clock) {
        this(issuer, audience, IssuerKeySource.fixed(keys), clockSkew, DEFAULT_MAX_LIFETIME, clock);
    }

    BearerTokenVerifier(String issuer, String audience, IssuerKeySource keys, Duration clockSkew, Duration maxLifetime,
            Clock clock) {
        this.issuer = issuer;
        this.audience = audience;
        this.keys = keys;
        this.clockSkew = clockSkew;
        this.maxLifetime = maxLifetime;
        this.clock = clock;
    }

    /** Whether an issuer, audience and a key source are configured; without them every request is refused. */
    boolean configured() {
        return !issuer.isBlank() && !audience.isBlank() && keys.configured();
    }

    /** Verifies the Authorization header's bearer token; every failure is a 401 naming the check that failed. */
    Caller verify(String authorizationHeader) throws FhirRejection {
        if (authorizationHeader == null || authorizationHeader.isBlank()) {
            throw FhirRejection.unauthenticated(null, "a bearer access token is required");
        }
        String header = authorizationHeader.strip();
        if (header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw FhirRejection.unauthenticated("invalid_request", "the Authorization header must use the Bearer scheme");
        }
        if (!configured()) {
            throw FhirRejection.unauthenticated("invalid_token", "no token issuer is configured; access is refused");
        }
        String token = header.substring(7).strip();
        if (token.length() > MAX_TOKEN_CHARS) {
            throw invalid("the access token is too long");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw invalid("the access token is not a signed JWT (JWS compact serialization)");
        }
        Map<?, ?> head = jsonObject(parts[0], "header");
        Object alg = head.get("alg");
        if (!"RS256".equals(alg) && !"ES256".equals(alg)) {
            throw invalid("the token's signature algorithm is not accepted (RS256 or ES256 only)");
        }
        if (head.containsKey("crit")) {
            throw invalid("the token has critical header parameters this server does not understand");
        }
        Object typ = head.get("typ");
        if (typ != null && !(typ instanceof String type && ACCEPTED_TYPES.contains(type.toLowerCase(Locale.ROOT)))) {
            throw invalid("the token's type (typ) is not an access token");
        }
        byte[] signature = base64Url(parts[2], "signature");
        byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        Object kid = head.get("kid");
        List<IssuerKey> known = keys.keys();
        if (kid != null && known.stream().noneMatch(key -> kid.equals(key.kid())) && keys.refreshForUnknownKeyId()) {
            known = keys.keys();
        }
        if (!verifies(known, (String) alg, kid, signed, signature)) {
            throw invalid(known.isEmpty() ? "the issuer's keys are not available; try again later"
                    : "the token's signature does not verify with the issuer's keys");
        }
        Map<?, ?> claims = jsonObject(parts[1], "claims");
        long now = clock.instant().getEpochSecond();
        long skew = clockSkew.toSeconds();
        if (!issuer.equals(claims.get("iss"))) {
            throw invalid("the token was not issued by the expected issuer");
        }
        Object aud = claims.get("aud");
        if (!(audience.equals(aud) || (aud instanceof List<?> list && list.contains(audience)))) {
            throw invalid("the token is not meant for this audience");
        }
        Object exp = claims.get("exp");
        if (!(exp instanceof Number expiry)) {
            throw invalid("the token has no expiry (exp)");
        }
        if (now - skew >= expiry.longValue()) {
            throw invalid("the token has expired");
        }
        checkLifetime(claims.get("iat"), expiry.longValue(), now, skew);
        Object nbf = claims.get("nbf");
        if (nbf != null && (!(nbf instanceof Number notBefore) || now + skew < notBefore.longValue())) {
            throw invalid("the token is not valid yet (nbf)");
        }
        return new Caller(clientId(claims), scopes(claims));
    }

    private static boolean verifies(List<IssuerKey> keys, String alg, Object kid, byte[] signed, byte[] signature) {
        for (IssuerKey key : keys) {
            if (key.alg().equals(alg) && (kid == null || key.kid() == null || key.kid().equals(kid))
                    && verifySignature(alg, key.key(), signed, signature)) {
                return true;
            }
        }
        return false;
    }

    private void checkLifetime(Object iat, long expiry, long now, long skew) throws FhirRejection {
        long max = maxLifetime.toSeconds();
        if (iat == null) {
            if (expiry - now > max + skew) {
                throw invalid("the token expires later than the longest token lifetime accepted (" + max + " s)");
            }
            return;
        }
        if (!(iat instanceof Number issuedAt)) {
            throw invalid("the token's issue time (iat) is not a number");
        }
        if (issuedAt.longValue() > now + skew) {
            throw invalid("the token was issued in the future (iat)");
        }
        if (expiry - issuedAt.longValue() > max) {
            throw invalid("the token's lifetime (exp - iat) is longer than the longest accepted (" + max + " s)");
        }
    }

    private static String clientId(Map<?, ?> claims) {
        for (String name : List.of("client_id", "azp", "sub")) {
            if (claims.get(name) instanceof String s && !s.isBlank()) {
                // The client id ends up in SourceSystem, which allows neither separators nor control characters.
                return s.strip().replaceAll("[\\^\\p{Cntrl}]", "_");
            }
        }
        return "unknown-client";
    }

    private static Set<String> scopes(Map<?, ?> claims) {
        Set<String> scopes = new LinkedHashSet<>();
        if (claims.get("scope") instanceof String s) {
            for (String scope : s.strip().split("\\s+")) {
                if (!scope.isEmpty()) {
                    scopes.add(scope);
                }
            }
        }
        if (claims.get("scp") instanceof List<?> list) {
            list.forEach(v -> scopes.add(String.valueOf(v)));
        }
        return scopes;
    }

    private static FhirRejection invalid(String reason) {
        return FhirRejection.unauthenticated("invalid_token", reason);
    }

    private static Map<?, ?> jsonObject(String part, String name) throws FhirRejection {
        try {
            if (CanonicalJson.parse(new String(base64Url(part, name), StandardCharsets.UTF_8)) instanceof Map<?, ?> map) {
                return map;
            }
        } catch (JsonException e) {
            // falls through: the reason below is enough, the parser's message could quote the token
        }
        throw invalid("the token's " + name + " is not a JSON object");
    }

    private static byte[] base64Url(String part, String name) throws FhirRejection {
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw invalid("the token's " + name + " is not base64url");
        }
    }

    static boolean verifySignature(String alg, PublicKey key, byte[] signed, byte[] signature) {
        try {
            Signature verifier;
            byte[] sig = signature;
            if ("RS256".equals(alg) && key instanceof RSAPublicKey) {
                verifier = Signature.getInstance("SHA256withRSA");
            } else if ("ES256".equals(alg) && key instanceof ECPublicKey) {
                if (signature.length != 64) {
                    return false;
                }
                verifier = Signature.getInstance("SHA256withECDSA");
                sig = rawToDer(signature);
            } else {
                return false;
            }
            verifier.initVerify(key);
            verifier.update(signed);
            return verifier.verify(sig);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** JWS carries ECDSA signatures as R || S (RFC 7518 3.4); the JDK wants ASN.1 DER. */
    static byte[] rawToDer(byte[] raw) {
        byte[] r = derInteger(new BigInteger(1, java.util.Arrays.copyOfRange(raw, 0, 32)));
        byte[] s = derInteger(new BigInteger(1, java.util.Arrays.copyOfRange(raw, 32, 64)));
        byte[] der = new byte[2 + r.length + s.length];
        der[0] = 0x30;
        der[1] = (byte) (r.length + s.length);
        System.arraycopy(r, 0, der, 2, r.length);
        System.arraycopy(s, 0, der, 2 + r.length, s.length);
        return der;
    }

    private static byte[] derInteger(BigInteger value) {
        byte[] bytes = value.toByteArray();
        byte[] out = new byte[2 + bytes.length];
        out[0] = 0x02;
        out[1] = (byte) bytes.length;
        System.arraycopy(bytes, 0, out, 2, bytes.length);
        return out;
    }

    /** Keys from a JWKS file (RSA and P-256 EC keys; others are skipped) or from PEM public keys. */
    static List<IssuerKey> loadKeys(Path jwksFile, Path pemFile) {
        List<IssuerKey> keys = new ArrayList<>();
        try {
            if (jwksFile != null) {
                keys.addAll(parseJwks(Files.readString(jwksFile)));
            }
            if (pemFile != null) {
                keys.addAll(parsePem(Files.readString(pemFile)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the FHIR token issuer's keys", e);
        }
        return keys;
    }

    static List<IssuerKey> parseJwks(String json) {
        List<IssuerKey> keys = new ArrayList<>();
        if (!(CanonicalJson.parse(json) instanceof Map<?, ?> set) || !(set.get("keys") instanceof List<?> list)) {
            throw new IllegalArgumentException("a JWKS must be a JSON object with a 'keys' array");
        }
        for (Object item : list) {
            if (!(item instanceof Map<?, ?> jwk) || "enc".equals(jwk.get("use"))) {
                continue;
            }
            String kid = jwk.get("kid") instanceof String s ? s : null;
            try {
                if ("RSA".equals(jwk.get("kty"))) {
                    PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                            unsigned(jwk.get("n")), unsigned(jwk.get("e"))));
                    addRsa(keys, kid, key);
                } else if ("EC".equals(jwk.get("kty")) && "P-256".equals(jwk.get("crv"))) {
                    ECPoint point = new ECPoint(unsigned(jwk.get("x")), unsigned(jwk.get("y")));
                    keys.add(new IssuerKey(kid, "ES256", KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, p256()))));
                }
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new IllegalArgumentException("JWKS key " + kid + " is not a valid public key", e);
            }
        }
        return keys;
    }

    static List<IssuerKey> parsePem(String pem) {
        List<IssuerKey> keys = new ArrayList<>();
        Matcher m = PEM.matcher(pem);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(1));
            try {
                addRsa(keys, null, KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der)));
            } catch (GeneralSecurityException rsa) {
                try {
                    PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
                    if (((ECPublicKey) key).getParams().getCurve().getField().getFieldSize() != 256) {
                        throw new IllegalArgumentException("only P-256 EC keys are accepted (ES256)");
                    }
                    keys.add(new IssuerKey(null, "ES256", key));
                } catch (GeneralSecurityException ec) {
                    throw new IllegalArgumentException("a PEM public key is neither RSA nor EC", ec);
                }
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no '-----BEGIN PUBLIC KEY-----' block found");
        }
        return keys;
    }

    private static void addRsa(List<IssuerKey> keys, String kid, PublicKey key) {
        if (((RSAPublicKey) key).getModulus().bitLength() < 2048) {
            throw new IllegalArgumentException("RSA keys shorter than 2048 bits are refused");
        }
        keys.add(new IssuerKey(kid, "RS256", key));
    }

    private static BigInteger unsigned(Object base64Url) {
        if (!(base64Url instanceof String s)) {
            throw new IllegalArgumentException("missing key parameter");
        }
        return new BigInteger(1, Base64.getUrlDecoder().decode(s));
    }

    private static ECParameterSpec p256() throws GeneralSecurityException {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec("secp256r1"));
        return parameters.getParameterSpec(ECParameterSpec.class);
    }
}
