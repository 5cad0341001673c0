package io.caduceus.edge.mllp;

import io.caduceus.core.secrets.SecretFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS side of an MLLP client: which CAs to trust for the peer's certificate (a PKCS12 trust store, or the JDK's
 * when none is given) and, for peers that ask for one, the client's own key (a PKCS12 key store). Passwords come from
 * owner-only files. Hostname verification is {@link MllpClient}'s, on every connection.
 */
public final class MllpTls {

    private MllpTls() {
    }

    /**
     * @param option the configuration prefix, named in errors (e.g. caduceus.mllp.application-ack.tls)
     * @param trustStore PKCS12 of trusted CA certificates, or null for the JDK's
     * @param trustStorePasswordFile its password (first line), or null for a store without one
     * @param keyStore PKCS12 with the client's key and certificate chain, or null to present none
     * @param keyStorePasswordFile its password (first line); required with a key store
     */
    public static SSLContext context(String option, Path trustStore, Path trustStorePasswordFile, Path keyStore,
            Path keyStorePasswordFile) {
        try {
            TrustManagerFactory trust = null;
            if (trustStore != null) {
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(load(trustStore, password(trustStorePasswordFile, option + ".trust-store-password-file"),
                        option + ".trust-store"));
            }
            KeyManagerFactory keys = null;
            if (keyStore != null) {
                if (keyStorePasswordFile == null) {
                    throw new IllegalArgumentException(option + ".key-store needs " + option + ".key-store-password-file");
                }
                char[] password = password(keyStorePasswordFile, option + ".key-store-password-file");
                try {
                    keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                    keys.init(load(keyStore, password, option + ".key-store"), password);
                } finally {
                    Arrays.fill(password, '\0');
                }
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(option + ": the key or trust store cannot be used: " + e.getClass().getSimpleName(), e);
        }
    }

    private static char[] password(Path file, String option) {
        return file == null ? null : SecretFiles.readFirstLine(file, option).toCharArray();
    }

    private static KeyStore load(Path file, char[] password, String option) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        } catch (IOException e) {
            // Also a wrong password: PKCS12 reports it as an IOException.
            throw new IllegalArgumentException(option + " " + file + " cannot be read as PKCS12 with its password: "
                    + e.getClass().getSimpleName(), e);
        }
        return store;
    }
}
