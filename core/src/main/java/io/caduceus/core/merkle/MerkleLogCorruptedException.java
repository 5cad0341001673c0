package io.caduceus.core.merkle;

/** The log's files do not match their own checkpoint: they were damaged or edited, and nothing may be proven from them. */
public final class MerkleLogCorruptedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public MerkleLogCorruptedException(String message) {
        super(message);
    }
}
