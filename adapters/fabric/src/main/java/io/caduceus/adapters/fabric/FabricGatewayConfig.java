package io.caduceus.adapters.fabric;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Where the Fabric Gateway peer is and who we are towards it. Holds file paths only, never key or certificate
 * material, so the record's {@code toString} is safe to log; {@link FabricConnection#open} reads the files once.
 *
 * @param mspId the MSP id of the client identity, e.g. {@code HospitalMSP}
 * @param peerEndpoint {@code host:port} of the gateway peer
 * @param tlsCaCert PEM file of the CA that signed the peer's TLS certificate
 * @param tlsServerNameOverride the name in the peer's TLS certificate, when it differs from the endpoint's host
 *     (a devnet peer reached through {@code localhost})
 * @param userCert PEM file of the client's signing certificate
 * @param userKey PEM file of the client's private key
 * @param channel the channel name
 * @param chaincode the chaincode name the RecordRegistry contract is deployed under
 * @param deadlines how long each kind of Gateway call may take
 */
public record FabricGatewayConfig(String mspId, String peerEndpoint, Path tlsCaCert,
        Optional<String> tlsServerNameOverride, Path userCert, Path userKey, String channel, String chaincode,
        Deadlines deadlines) {

    private static final Pattern ENDPOINT = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]+:[0-9]{1,5}");
    private static final Pattern ORG = Pattern.compile("[a-z][a-z0-9-]*");

    public FabricGatewayConfig {
        requireText(mspId, "mspId");
        requireText(channel, "channel");
        requireText(chaincode, "chaincode");
        Objects.requireNonNull(tlsCaCert, "tlsCaCert");
        Objects.requireNonNull(userCert, "userCert");
        Objects.requireNonNull(userKey, "userKey");
        Objects.requireNonNull(deadlines, "deadlines");
        tlsServerNameOverride = Objects.requireNonNull(tlsServerNameOverride, "tlsServerNameOverride")
                .map(String::strip).filter(s -> !s.isEmpty());
        if (peerEndpoint == null || !ENDPOINT.matcher(peerEndpoint).matches()) {
            throw new IllegalArgumentException("peer endpoint must be host:port");
        }
    }

    /**
     * Per call type deadlines. Commit status waits for a block to be cut and validated, so it gets the longest one;
     * evaluate touches one peer only.
     */
    public record Deadlines(Duration evaluate, Duration endorse, Duration submit, Duration commitStatus) {

        public static final Deadlines DEFAULTS = new Deadlines(Duration.ofSeconds(5), Duration.ofSeconds(15),
                Duration.ofSeconds(5), Duration.ofMinutes(1));

        public Deadlines {
            for (Duration d : new Duration[] {evaluate, endorse, submit, commitStatus}) {
                if (d == null || d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("every deadline must be positive");
                }
            }
        }
    }

    /** As {@link #fromProperties(Properties, String, Path)}, resolving relative paths against the working directory. */
    public static FabricGatewayConfig fromProperties(Properties properties, String org) {
        return fromProperties(properties, org, Path.of(""));
    }

    /**
     * Reads the keys the devnet writes: {@code fabric.channel}, {@code fabric.chaincode} and, for {@code org} (e.g.
     * {@code hospital} or {@code auditor}), {@code fabric.<org>.msp.id}, {@code .peer.endpoint},
     * {@code .peer.host.alias} (optional), {@code .peer.tls.ca.cert}, {@code .user.cert} and {@code .user.key}.
     * Optional deadlines in milliseconds: {@code fabric.deadline.evaluate.ms}, {@code .endorse.ms},
     * {@code .submit.ms}, {@code .commit.status.ms}.
     *
     * @param baseDir what relative paths are resolved against, typically the properties file's directory
     */
    public static FabricGatewayConfig fromProperties(Properties properties, String org, Path baseDir) {
        Objects.requireNonNull(properties, "properties");
        String o = Objects.requireNonNull(org, "org").toLowerCase(Locale.ROOT);
        if (!ORG.matcher(o).matches()) {
            throw new IllegalArgumentException("org must be a lowercase name such as hospital or auditor");
        }
        String prefix = "fabric." + o + ".";
        Deadlines d = Deadlines.DEFAULTS;
        Deadlines deadlines = new Deadlines(
                millis(properties, "fabric.deadline.evaluate.ms", d.evaluate()),
                millis(properties, "fabric.deadline.endorse.ms", d.endorse()),
                millis(properties, "fabric.deadline.submit.ms", d.submit()),
                millis(properties, "fabric.deadline.commit.status.ms", d.commitStatus()));
        return new FabricGatewayConfig(
                required(properties, prefix + "msp.id"),
                required(properties, prefix + "peer.endpoint"),
                path(baseDir, required(properties, prefix + "peer.tls.ca.cert")),
                Optional.ofNullable(properties.getProperty(prefix + "peer.host.alias")),
                path(baseDir, required(properties, prefix + "user.cert")),
                path(baseDir, required(properties, prefix + "user.key")),
                required(properties, "fabric.channel"),
                required(properties, "fabric.chaincode"),
                deadlines);
    }

    private static String required(Properties properties, String key) {
        String value = properties.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing property " + key);
        }
        return value.strip();
    }

    private static Duration millis(Properties properties, String key, Duration fallback) {
        String value = properties.getProperty(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Duration.ofMillis(Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("property " + key + " must be a number of milliseconds");
        }
    }

    private static Path path(Path baseDir, String value) {
        return baseDir.resolve(value).normalize();
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
