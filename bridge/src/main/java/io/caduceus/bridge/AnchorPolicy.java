package io.caduceus.bridge;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * When to anchor and how sure to be before calling an anchor final.
 *
 * @param maxEntries    anchor as soon as this many leaves are not yet anchored
 * @param maxInterval   anchor at least this often while there are unanchored leaves
 * @param confirmations blocks that must be mined on top of an anchor's block before it is confirmed; a reorg deeper
 *                      than this is not detected
 * @param fabricChannel the channel the log covers, published with every anchor (1..32 UTF-8 bytes)
 */
public record AnchorPolicy(long maxEntries, Duration maxInterval, int confirmations, String fabricChannel) {

    public AnchorPolicy {
        Objects.requireNonNull(maxInterval, "maxInterval");
        Objects.requireNonNull(fabricChannel, "fabricChannel");
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
        if (maxInterval.isNegative() || maxInterval.isZero()) {
            throw new IllegalArgumentException("maxInterval must be positive");
        }
        if (confirmations < 0) {
            throw new IllegalArgumentException("confirmations must not be negative");
        }
        int bytes = fabricChannel.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < 1 || bytes > 32) {
            throw new IllegalArgumentException("fabric channel must be 1 to 32 UTF-8 bytes");
        }
    }
}
