package io.caduceus.edge.services;

import io.caduceus.core.secrets.SecretFiles;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the PostgreSQL vault connects: the JDBC URL with the TLS mode it must use, and the password, from a file. TLS is
 * required to any server that is not on loopback, since the connection carries the password and every sealed record;
 * a server on loopback (the devnet) may go without. Documented in application.properties ("Off-chain record vault").
 */
record PostgresConnection(String jdbcUrl, String user, String password) {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresConnection.class);

    private static final Set<String> MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    /** Modes under which no attacker on the path can read or change the traffic (verify-* also check the server). */
    private static final Set<String> ENCRYPTED = Set.of("require", "verify-ca", "verify-full");
    private static final Pattern URL_SSLMODE = Pattern.compile("[?&]sslmode=([^&]*)", Pattern.CASE_INSENSITIVE);

    /**
     * @param sslMode empty: verify-full with a root certificate, require without, for a server not on loopback; on
     *     loopback the driver's default (prefer)
     */
    static PostgresConnection of(String jdbcUrl, String user, String password, Path passwordFile, String sslMode,
            Path sslRootCert) {
        if (jdbcUrl.isBlank()) {
            throw new IllegalArgumentException("caduceus.vault.type=postgres needs postgres.jdbc.url");
        }
        if (passwordFile == null && !password.isBlank() && !hosts(jdbcUrl).stream().allMatch(PostgresConnection::isLoopback)) {
            LOG.warn("the database password is a plain property (postgres.password): that is for the devnet; a "
                    + "deployment gives it as postgres.password-file, a file readable by its owner only");
        }
        return new PostgresConnection(secureUrl(jdbcUrl, sslMode, sslRootCert), user, password(password, passwordFile));
    }

    private static String password(String password, Path passwordFile) {
        if (passwordFile != null) {
            if (!password.isBlank()) {
                throw new IllegalArgumentException("give the database password as postgres.password-file or "
                        + "postgres.password, not both");
            }
            return SecretFiles.readFirstLine(passwordFile, "the database password (postgres.password-file)");
        }
        return password;
    }

    static String secureUrl(String jdbcUrl, String sslMode, Path sslRootCert) {
        Matcher inUrl = URL_SSLMODE.matcher(jdbcUrl);
        String fromUrl = inUrl.find() ? inUrl.group(1).toLowerCase(Locale.ROOT) : null;
        String configured = sslMode.strip().toLowerCase(Locale.ROOT);
        if (fromUrl != null && !configured.isEmpty() && !fromUrl.equals(configured)) {
            throw new IllegalArgumentException("postgres.sslmode is " + configured + " but postgres.jdbc.url says sslmode="
                    + fromUrl + ": set it in one place");
        }
        boolean loopback = hosts(jdbcUrl).stream().allMatch(PostgresConnection::isLoopback);
        String mode = fromUrl != null ? fromUrl
                : !configured.isEmpty() ? configured
                : sslRootCert != null ? "verify-full"
                : loopback ? null
                : "require";
        if (mode != null && !MODES.contains(mode)) {
            throw new IllegalArgumentException("postgres.sslmode must be one of " + MODES + ", was " + mode);
        }
        if (!loopback && !ENCRYPTED.contains(mode)) {
            throw new IllegalArgumentException("postgres.sslmode=" + mode + " would let the database connection (password "
                    + "and records) go unencrypted to a server that is not on loopback; use require, or verify-full with "
                    + "postgres.sslrootcert");
        }
        StringBuilder url = new StringBuilder(jdbcUrl);
        String separator = jdbcUrl.contains("?") ? "&" : "?";
        if (fromUrl == null && mode != null) {
            url.append(separator).append("sslmode=").append(mode);
            separator = "&";
        }
        if (sslRootCert != null) {
            url.append(separator).append("sslrootcert=").append(URLEncoder.encode(sslRootCert.toString(), StandardCharsets.UTF_8));
        }
        return url.toString();
    }

    /** The hosts of jdbc:postgresql://host[:port][,host[:port]...]/database; none (a local socket) is loopback. */
    static List<String> hosts(String jdbcUrl) {
        String rest = jdbcUrl.replaceFirst("(?i)^jdbc:postgresql:", "");
        if (!rest.startsWith("//")) {
            return List.of();
        }
        int end = rest.indexOf('/', 2);
        String authority = rest.substring(2, end < 0 ? rest.length() : end);
        int query = authority.indexOf('?');
        if (query >= 0) {
            authority = authority.substring(0, query);
        }
        List<String> hosts = new ArrayList<>();
        for (String hostPort : authority.split(",")) {
            String host = hostPort.startsWith("[") ? hostPort.substring(1, Math.max(1, hostPort.indexOf(']')))
                    : hostPort.contains(":") ? hostPort.substring(0, hostPort.indexOf(':')) : hostPort;
            hosts.add(host.isEmpty() ? "localhost" : host);
        }
        return hosts;
    }

    private static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!host.matches("\\d{1,3}(\\.\\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:]*")) {
            return false; // a name: whatever it resolves to today, it is not ours to trust
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "PostgresConnection[" + jdbcUrl + ", user " + user + "]"; // never the password
    }
}
