package io.caduceus.adapters.ethereum;

import io.caduceus.core.secrets.SecretFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.web3j.crypto.exception.CipherException;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;

/**
 * The anchoring key, kept in an encrypted web3j (Ethereum V3) keystore whose password is in a separate file, so the
 * key never appears in configuration, on a command line or in a log. Messages name files, never their content. The
 * chain port never sees the key: {@link EthereumAnchoring#chain} signs with it inside this adapter.
 */
public final class AnchorKeys {

    private static final Set<PosixFilePermission> OWNER_ONLY = Set.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    private AnchorKeys() {
    }

    public static Credentials load(Path keystore, Path passwordFile) {
        if (!Files.isRegularFile(keystore) || !Files.isRegularFile(passwordFile)) {
            throw new AnchorKeyException("the anchoring keystore " + keystore + " or its password file "
                    + passwordFile + " is missing (caduceus.anchor.keystore-file, caduceus.anchor.keystore-password-file)");
        }
        String password;
        try {
            SecretFiles.requireOwnerOnly(keystore, "the anchoring keystore (caduceus.anchor.keystore-file)");
            password = new String(SecretFiles.read(passwordFile,
                    "the anchoring keystore's password (caduceus.anchor.keystore-password-file)"), StandardCharsets.UTF_8).strip();
        } catch (SecretFiles.InsecureSecretFileException e) {
            throw new AnchorKeyException(e.getMessage());
        }
        try {
            return WalletUtils.loadCredentials(password, keystore.toFile());
        } catch (CipherException e) {
            throw new AnchorKeyException("the password in " + passwordFile + " does not open " + keystore);
        } catch (IOException | RuntimeException e) {
            // Not e's message: a JSON parser may quote the keystore's content.
            throw new AnchorKeyException("cannot read the anchoring keystore " + keystore + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Creates a new key in {@code keystore}, encrypted with a random password written to {@code passwordFile}, both
     * readable by their owner only. Devnet bootstrap only: a deployment provisions its key.
     */
    public static void generate(Path keystore, Path passwordFile) {
        try {
            Path folder = keystore.toAbsolutePath().getParent();
            Files.createDirectories(folder);
            Files.createDirectories(passwordFile.toAbsolutePath().getParent());
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            writeOwnerOnly(passwordFile, password);
            Path staging = Files.createTempDirectory(folder, ".keystore-");
            try {
                // The "light" scrypt parameters: the standard ones need 256 MB of heap to open the key.
                String name = WalletUtils.generateLightNewWalletFile(password, staging.toFile());
                Path generated = staging.resolve(name);
                restrict(generated);
                try {
                    Files.move(generated, keystore, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(generated, keystore);
                }
            } finally {
                try (var left = Files.list(staging)) {
                    for (Path p : left.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(staging);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the anchoring keystore " + keystore, e);
        } catch (Exception e) {
            throw new AnchorKeyException("cannot create the anchoring keystore " + keystore + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static void writeOwnerOnly(Path file, String content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try {
            // Owner-only from its creation: never readable by others, not even empty for a moment.
            Files.createFile(temp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            Files.createFile(temp);
        }
        Files.writeString(temp, content, StandardCharsets.UTF_8, StandardOpenOption.WRITE);
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the deployer secures the folder.
        }
    }
}
