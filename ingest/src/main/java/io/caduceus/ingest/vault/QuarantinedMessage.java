package io.caduceus.ingest.vault;

import java.time.Instant;
import java.util.Objects;

/**
 * A message that was rejected (unparseable, failed validation...) and kept, encrypted, so an operator can fix the
 * cause and reprocess it later under its original message id, which keeps downstream idempotency intact.
 *
 * <p>The reason is stored encrypted too, because validators sometimes quote the offending field. toString shows ids,
 * the timestamp and the size only.
 */
public final class QuarantinedMessage {

    private final String quarantineId;
    private final String originalMessageId;
    private final String reason;
    private final byte[] originalBytes;
    private final Instant receivedAt;
    private final Instant quarantinedAt;

    public QuarantinedMessage(String quarantineId, String originalMessageId, String reason, byte[] originalBytes,
                              Instant receivedAt, Instant quarantinedAt) {
        this.quarantineId = VaultRecord.requireText(quarantineId, "quarantineId");
        this.originalMessageId = VaultRecord.requireText(originalMessageId, "originalMessageId");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.originalBytes = Objects.requireNonNull(originalBytes, "originalBytes").clone();
        this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
        this.quarantinedAt = Objects.requireNonNull(quarantinedAt, "quarantinedAt");
    }

    public String quarantineId() {
        return quarantineId;
    }

    public String originalMessageId() {
        return originalMessageId;
    }

    public String reason() {
        return reason;
    }

    public byte[] originalBytes() {
        return originalBytes.clone();
    }

    /** The array itself, not a copy, for vault implementations; never modify it. */
    public byte[] originalBytesUnsafe() {
        return originalBytes;
    }

    public Instant receivedAt() {
        return receivedAt;
    }

    public Instant quarantinedAt() {
        return quarantinedAt;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof QuarantinedMessage other)) {
            return false;
        }
        return quarantineId.equals(other.quarantineId)
                && originalMessageId.equals(other.originalMessageId)
                && reason.equals(other.reason)
                && java.util.Arrays.equals(originalBytes, other.originalBytes)
                && receivedAt.equals(other.receivedAt)
                && quarantinedAt.equals(other.quarantinedAt);
    }

    @Override
    public int hashCode() {
        return quarantineId.hashCode();
    }

    @Override
    public String toString() {
        return "QuarantinedMessage[quarantineId=" + quarantineId + ", originalMessageId=" + originalMessageId
                + ", receivedAt=" + receivedAt + ", bytes=" + originalBytes.length + "]";
    }
}
