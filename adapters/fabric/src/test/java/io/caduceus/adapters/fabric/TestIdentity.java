package io.caduceus.adapters.fabric;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.hyperledger.fabric.client.identity.Identities;

/** MSP material made on the spot: a self-signed P-256 certificate and its key, as PEM files. */
record TestIdentity(Path cert, Path key, String keyPem) {

    static TestIdentity create(Path dir, String name) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        X500Name subject = new X500Name("CN=" + name + ",O=Hospital");
        Instant now = Instant.now();
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                subject, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(1, ChronoUnit.DAYS)),
                Date.from(now.plus(1, ChronoUnit.DAYS)), subject, pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        Path cert = write(dir.resolve(name + "-cert.pem"), Identities.toPemString(certificate));
        String keyPem = Identities.toPemString(pair.getPrivate());
        Path key = write(dir.resolve(name + "-key.pem"), keyPem);
        return new TestIdentity(cert, key, keyPem);
    }

    private static Path write(Path file, String text) throws IOException {
        return Files.writeString(file, text, StandardCharsets.US_ASCII);
    }

    /** The base64 body of the key, which no message may ever contain. */
    String keyBody() {
        return keyPem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat).substring(0, 40);
    }
}
