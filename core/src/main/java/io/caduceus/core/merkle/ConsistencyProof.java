package io.caduceus.core.merkle;

import io.caduceus.core.hash.Digest;
import java.util.List;

/**
 * The consistency proof of RFC 6962 section 2.1.2: that the tree of {@code secondSize} leaves extends the tree of
 * {@code firstSize} leaves, i.e. the log only appended in between and rewrote nothing.
 */
public record ConsistencyProof(long firstSize, long secondSize, List<Digest> path) {

    public ConsistencyProof {
        if (firstSize < 0 || secondSize < firstSize) {
            throw new IllegalArgumentException("sizes must satisfy 0 <= first <= second");
        }
        path = List.copyOf(path);
    }
}
