package io.caduceus.core.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads the files that hold secrets (keys, passwords, tokens), refusing any that group or others may read, write or
 * execute: a secret anyone on the host can read is no secret, and a middleware that quietly uses it hides the
 * mistake. Symbolic links are followed (secret managers mount files as links): the target's permissions count.
 * Where the file system is not POSIX (Windows), the check is skipped: ACLs are the operator's to set.
 *
 * <p>Messages name the file and what it is for, never its content.
 */
public final class SecretFiles {

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private SecretFiles() {
    }

    /**
     * Refuses {@code file} unless only its owner has any permission on it.
     *
     * @param purpose what the file is, as the error should say it, e.g. "the vault master key (caduceus.secrets.master-key-file)"
     * @throws InsecureSecretFileException if group or others have any permission, or the file is missing or not a regular file
     */
    public static void requireOwnerOnly(Path file, String purpose) {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        try {
            if (!Files.isRegularFile(file)) {
                throw new InsecureSecretFileException(purpose + ": " + file + (Files.exists(file) ? " is not a regular file" : " does not exist"));
            }
            if (view == null) {
                return;
            }
            Set<PosixFilePermission> permissions = view.readAttributes().permissions();
            if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
                throw new InsecureSecretFileException(purpose + ": " + file + " is accessible by group or others ("
                        + PosixFilePermissions.toString(permissions) + "); restrict it to its owner: chmod 600 " + file);
            }
        } catch (NoSuchFileException e) {
            throw new InsecureSecretFileException(purpose + ": " + file + " does not exist");
        } catch (IOException e) {
            throw new InsecureSecretFileException(purpose + ": cannot read the permissions of " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** The content of an owner-only file ({@link #requireOwnerOnly}); the caller should wipe it after use. */
    public static byte[] read(Path file, String purpose) {
        requireOwnerOnly(file, purpose);
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InsecureSecretFileException(purpose + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * The first line of an owner-only file, without its line end: how password and token files are written (editors
     * and {@code echo} add a newline that is not part of the secret).
     */
    public static String readFirstLine(Path file, String purpose) {
        String content = new String(read(file, purpose), StandardCharsets.UTF_8);
        int end = content.indexOf('\n');
        String line = end < 0 ? content : content.substring(0, end);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    /** A secret file that must not be used: open to group or others, missing, or unreadable. */
    public static final class InsecureSecretFileException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        InsecureSecretFileException(String message) {
            super(message);
        }
    }
}
