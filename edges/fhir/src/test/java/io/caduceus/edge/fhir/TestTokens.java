package io.caduceus.edge.fhir;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import io.caduceus.core.json.CanonicalJson;

/** Signs test JWTs with keys made on the spot; no key material is checked in. */
public final class TestTokens {

    public static final String ISSUER = "https://auth.test.example";
    public static final String AUDIENCE = "https://caduceus.test.example/fhir";

    private TestTokens() {
    }

    public static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ec() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(KeyPair pair) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** Claims valid for an hour with the given scope. */
    public static Map<String, Object> claims(String scope) {
        return claims(ISSUER, AUDIENCE, "test-client", 3600, scope);
    }

    /** Claims issued now by {@code issuer} for {@code audience}, valid for {@code lifetimeSeconds}. */
    public static Map<String, Object> claims(String issuer, String audience, String clientId, long lifetimeSeconds,
            String scope) {
        long now = System.currentTimeMillis() / 1000;
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("aud", audience);
        claims.put("client_id", clientId);
        claims.put("iat", now);
        claims.put("exp", now + lifetimeSeconds);
        claims.put("scope", scope);
        return claims;
    }

    public static String sign(String alg, PrivateKey key, Map<String, Object> claims) {
        return sign(Map.of("alg", alg, "typ", "JWT"), key, claims);
    }

    static String sign(Map<String, Object> header, PrivateKey key, Map<String, Object> claims) {
        String signingInput = b64(CanonicalJson.write(header).getBytes(StandardCharsets.UTF_8)) + "."
                + b64(CanonicalJson.write(claims).getBytes(StandardCharsets.UTF_8));
        try {
            boolean ec = "EC".equals(key.getAlgorithm());
            Signature signature = Signature.getInstance(ec ? "SHA256withECDSA" : "SHA256withRSA");
            signature.initSign(key);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            byte[] sig = signature.sign();
            return signingInput + "." + b64(ec ? derToRaw(sig) : sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] derToRaw(byte[] der) {
        int offset = 2;
        int rLength = der[offset + 1];
        BigInteger r = new BigInteger(Arrays.copyOfRange(der, offset + 2, offset + 2 + rLength));
        offset = offset + 2 + rLength;
        int sLength = der[offset + 1];
        BigInteger s = new BigInteger(Arrays.copyOfRange(der, offset + 2, offset + 2 + sLength));
        byte[] raw = new byte[64];
        fixed(r, raw, 0);
        fixed(s, raw, 32);
        return raw;
    }

    private static void fixed(BigInteger value, byte[] out, int at) {
        byte[] bytes = value.toByteArray();
        int start = Math.max(0, bytes.length - 32);
        int length = bytes.length - start;
        System.arraycopy(bytes, start, out, at + 32 - length, length);
    }
}
