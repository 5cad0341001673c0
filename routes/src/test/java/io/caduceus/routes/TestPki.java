package io.caduceus.routes;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.math.BigInteger;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority made with the JDK's keytool (always there, unlike BouncyCastle), for tests of
 * TLS and client certificates. Keys are EC P-256, valid two days; every store is PKCS12 under {@link #PASSWORD}.
 */
public final class TestPki {

    public static final String PASSWORD = "test-store-password";

    private final Path dir;
    private final X509Certificate ca;

    private TestPki(Path dir, X509Certificate ca) {
        this.dir = dir;
        this.ca = ca;
    }

    /** A new CA with subject {@code caDn}, its files in {@code dir} (created). */
    public static TestPki create(Path dir, String caDn) throws Exception {
        Files.createDirectories(dir);
        keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", caDn,
                "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool(dir, "-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PASSWORD, "-file", "ca.crt");
        return new TestPki(dir, certificate(dir.resolve("ca.crt")));
    }

    public X509Certificate ca() {
        return ca;
    }

    /**
     * A new key with a certificate for {@code subject} signed by this CA, with its chain, under alias "key".
     *
     * @param san a keytool extension such as {@code san=ip:127.0.0.1,dns:localhost}, or null
     * @param eku a keytool extension such as {@code eku=clientAuth}, or null
     */
    public KeyStore issue(String name, String subject, String san, String eku) throws Exception {
        keytool(dir, "-genkeypair", "-alias", "key", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", subject,
                "-validity", "2", "-keystore", name + "-key.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool(dir, "-certreq", "-alias", "key", "-keystore", name + "-key.p12", "-storepass", PASSWORD, "-file", name + ".csr");
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-storepass",
                PASSWORD, "-infile", name + ".csr", "-outfile", name + ".crt", "-validity", "2"));
        for (String extension : new String[] {san, eku}) {
            if (extension != null) {
                gencert.addAll(List.of("-ext", extension));
            }
        }
        keytool(dir, gencert.toArray(String[]::new));
        PrivateKey key = (PrivateKey) load(dir.resolve(name + "-key.p12")).getKey("key", PASSWORD.toCharArray());
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("key", key, PASSWORD.toCharArray(), new X509Certificate[] {certificate(dir.resolve(name + ".crt")), ca});
        return store;
    }

    /** A self-signed key and certificate for {@code subject}: trusted by nobody, whatever its name. */
    public KeyStore selfSigned(String name, String subject) throws Exception {
        keytool(dir, "-genkeypair", "-alias", "key", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", subject,
                "-validity", "2", "-keystore", name + ".p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
        return load(dir.resolve(name + ".p12"));
    }

    /** A trust store holding only this CA. */
    public KeyStore trustStore() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        return trust;
    }

    /** The certificate of a store made by {@link #issue} or {@link #selfSigned}. */
    public static X509Certificate leaf(KeyStore store) throws Exception {
        return (X509Certificate) store.getCertificate("key");
    }

    /**
     * A CRL signed by this CA revoking {@code serials}, DER-encoded by hand (the JDK can read CRLs but not make them):
     * CertificateList ::= SEQUENCE { TBSCertList, AlgorithmIdentifier, BIT STRING } (RFC 5280 5.1).
     */
    public byte[] crl(Instant thisUpdate, Instant nextUpdate, BigInteger... serials) throws Exception {
        byte[] ecdsaWithSha256 = der(0x30, der(0x06, new byte[] {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02}));
        ByteArrayOutputStream revoked = new ByteArrayOutputStream();
        for (BigInteger serial : serials) {
            revoked.write(der(0x30, concat(der(0x02, serial.toByteArray()), utcTime(thisUpdate))));
        }
        byte[] tbs = der(0x30, concat(der(0x02, new byte[] {1}), ecdsaWithSha256, ca.getSubjectX500Principal().getEncoded(),
                utcTime(thisUpdate), utcTime(nextUpdate), serials.length == 0 ? new byte[0] : der(0x30, revoked.toByteArray())));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign((PrivateKey) load(dir.resolve("ca.p12")).getKey("ca", PASSWORD.toCharArray()));
        signer.update(tbs);
        return der(0x30, concat(tbs, ecdsaWithSha256, der(0x03, concat(new byte[] {0}, signer.sign()))));
    }

    private static byte[] utcTime(Instant at) {
        return der(0x17, DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(at)
                .getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n & 0xff);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Writes {@code store} as {@code <file>} in this CA's folder. */
    public Path write(KeyStore store, String file) throws Exception {
        Path path = dir.resolve(file);
        try (OutputStream out = Files.newOutputStream(path)) {
            store.store(out, PASSWORD.toCharArray());
        }
        return path;
    }

    public static KeyStore load(Path file) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    private static X509Certificate certificate(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static void keytool(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + new String(output, StandardCharsets.UTF_8));
        }
    }
}
