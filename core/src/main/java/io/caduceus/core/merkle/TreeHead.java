package io.caduceus.core.merkle;

import io.caduceus.core.hash.Digest;
import java.util.Objects;

/** A tree size and the root hash of the log's first {@code size} leaves. */
public record TreeHead(long size, Digest root) {

    public TreeHead {
        if (size < 0) {
            throw new IllegalArgumentException("tree size must not be negative");
        }
        Objects.requireNonNull(root, "root");
    }
}
