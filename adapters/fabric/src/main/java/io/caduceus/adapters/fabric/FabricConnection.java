package io.caduceus.adapters.fabric;

import io.caduceus.ingest.ledger.LedgerWriter;
import io.caduceus.ingest.ledger.LedgerException;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.hyperledger.fabric.client.Gateway;
import org.hyperledger.fabric.client.Network;
import org.hyperledger.fabric.client.identity.Identities;
import org.hyperledger.fabric.client.identity.Signer;
import org.hyperledger.fabric.client.identity.Signers;
import org.hyperledger.fabric.client.identity.X509Identity;

/**
 * One TLS gRPC channel to a Fabric Gateway peer and the Gateway session on it, for one client identity. Thread-safe;
 * open one per identity and share it. Certificates and the key are read once, at {@link #open}.
 */
public final class FabricConnection implements AutoCloseable {

    /** The query system chaincode, which answers block-height questions without any chaincode of ours. */
    static final String QSCC = "qscc";

    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);
    private static final Duration RECONNECT_BACKOFF = Duration.ofSeconds(5);

    private final FabricGatewayConfig config;
    private final ManagedChannel channel;
    private final Gateway gateway;
    private final Network network;

    private FabricConnection(FabricGatewayConfig config, ManagedChannel channel, Gateway gateway) {
        this.config = config;
        this.channel = channel;
        this.gateway = gateway;
        this.network = gateway.getNetwork(config.channel());
    }

    /**
     * Reads the MSP material and connects lazily: no network traffic happens until the first call, so a peer that is
     * down shows up as {@link LedgerException.Kind#UNAVAILABLE} on that call rather than here.
     *
     * @throws IllegalArgumentException if a file cannot be read or parsed, or the key does not match the certificate;
     *     the message names the file, never its content
     */
    public static FabricConnection open(FabricGatewayConfig config) {
        Objects.requireNonNull(config, "config");
        X509Certificate certificate = readCertificate(config.userCert());
        Signer signer = Signers.newPrivateKeySigner(readPrivateKey(config.userKey()));
        requireMatchingKey(certificate, signer, config.userKey());
        ChannelCredentials tls = tlsCredentials(config.tlsCaCert());

        // The shaded Netty transport is named explicitly: ServiceLoader lookup breaks in shaded application jars.
        NettyChannelBuilder builder = NettyChannelBuilder.forTarget(config.peerEndpoint(), tls);
        config.tlsServerNameOverride().ifPresent(builder::overrideAuthority);
        // Detects a silently dropped event stream; not below the peer's default minimum ping interval (60 s).
        builder.keepAliveTime(2, TimeUnit.MINUTES).keepAliveTimeout(20, TimeUnit.SECONDS);
        ManagedChannel channel = builder.build();
        try {
            FabricGatewayConfig.Deadlines d = config.deadlines();
            Gateway gateway = Gateway.newInstance()
                    .identity(new X509Identity(config.mspId(), certificate))
                    .signer(signer)
                    .connection(channel)
                    // Applied per call, so every unary Gateway call gets a fresh deadline of its kind.
                    .evaluateOptions(deadline(d.evaluate()))
                    .endorseOptions(deadline(d.endorse()))
                    .submitOptions(deadline(d.submit()))
                    .commitStatusOptions(deadline(d.commitStatus()))
                    .connect();
            return new FabricConnection(config, channel, gateway);
        } catch (RuntimeException e) {
            channel.shutdownNow();
            throw e;
        }
    }

    static UnaryOperator<CallOptions> deadline(Duration duration) {
        long millis = duration.toMillis();
        return options -> options.withDeadlineAfter(millis, TimeUnit.MILLISECONDS);
    }

    public FabricGatewayConfig config() {
        return config;
    }

    /** A writer for the configured channel and chaincode, sharing this connection. */
    public LedgerWriter ledgerWriter() {
        return new FabricLedgerWriter(network.getContract(config.chaincode()), network.getContract(QSCC),
                config.channel());
    }

    /** Consent grants on the configured channel and chaincode, sharing this connection. */
    public ConsentLedger consentLedger() {
        return new FabricLedgerWriter(network.getContract(config.chaincode()), network.getContract(QSCC),
                config.channel());
    }

    /**
     * A follower of {@code EntriesCommitted} events that resumes from (and records progress in) {@code checkpointFile}.
     */
    public BlockEventFollower eventFollower(Path checkpointFile, BlockEventFollower.Listener listener) {
        return new BlockEventFollower(BlockEventFollower.source(network, config.chaincode()), checkpointFile, listener,
                RECONNECT_BACKOFF, 0);
    }

    /** A follower of {@code EntriesCommitted} events whose progress the listener keeps with what it stores. */
    public BlockEventFollower eventFollower(BlockEventFollower.Progress progress,
            BlockEventFollower.Listener listener) {
        return new BlockEventFollower(BlockEventFollower.source(network, config.chaincode()), progress, listener,
                RECONNECT_BACKOFF);
    }

    @Override
    public void close() {
        gateway.close();
        channel.shutdown();
        try {
            if (!channel.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FabricConnection[" + config.mspId() + "@" + config.peerEndpoint() + "/" + config.channel() + "/"
                + config.chaincode() + "]";
    }

    private static X509Certificate readCertificate(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            return Identities.readX509Certificate(reader);
        } catch (IOException | CertificateException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read a PEM certificate from " + file, e);
        }
    }

    private static PrivateKey readPrivateKey(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            return Identities.readPrivateKey(reader);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            // No cause attached: a parser's message might quote the text it choked on, which is key material.
            throw new IllegalArgumentException("cannot read a PEM private key from " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** Catches a mismatched cert/key pair here, instead of as an opaque signature failure at the first endorsement. */
    private static void requireMatchingKey(X509Certificate certificate, Signer signer, Path keyFile) {
        String algorithm = certificate.getPublicKey().getAlgorithm();
        if (!"EC".equals(algorithm)) {
            return; // Fabric CAs issue EC identities; other algorithms are left for the peer to judge
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest("caduceus key check".getBytes(StandardCharsets.US_ASCII));
            byte[] signature = signer.sign(digest);
            Signature verifier = Signature.getInstance("NONEwithECDSA");
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(digest);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException("private key " + keyFile + " does not match the user certificate");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot check private key " + keyFile + " against the user certificate ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static ChannelCredentials tlsCredentials(Path caFile) {
        try {
            byte[] pem = Files.readAllBytes(caFile);
            return TlsChannelCredentials.newBuilder().trustManager(new ByteArrayInputStream(pem)).build();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read TLS CA certificate " + caFile, e);
        }
    }
}
