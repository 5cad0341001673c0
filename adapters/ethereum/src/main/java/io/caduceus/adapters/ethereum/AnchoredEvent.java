package io.caduceus.adapters.ethereum;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One {@code Anchored(uint64 indexed treeSize, bytes32 indexed root, bytes32 fabricChannel, uint64
 * fabricBlockHeight)} event of an {@code AnchorRegistry}, as read from a transaction receipt.
 *
 * @param contractAddress   the registry that emitted it (lower-case {@code 0x} address)
 * @param treeSize          the anchored tree size
 * @param root              the anchored root, 32 bytes
 * @param fabricChannel     the channel name (bytes32 decoded as UTF-8 without the zero padding)
 * @param fabricBlockHeight the Fabric block height the anchored tree covers
 */
public record AnchoredEvent(String contractAddress, long treeSize, byte[] root, String fabricChannel,
                            long fabricBlockHeight) {

    public AnchoredEvent {
        Objects.requireNonNull(contractAddress, "contractAddress");
        Objects.requireNonNull(fabricChannel, "fabricChannel");
        root = Objects.requireNonNull(root, "root").clone();
        if (root.length != 32) {
            throw new IllegalArgumentException("root must be 32 bytes, got " + root.length);
        }
    }

    @Override
    public byte[] root() {
        return root.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AnchoredEvent e && contractAddress.equals(e.contractAddress) && treeSize == e.treeSize
                && Arrays.equals(root, e.root) && fabricChannel.equals(e.fabricChannel)
                && fabricBlockHeight == e.fabricBlockHeight;
    }

    @Override
    public int hashCode() {
        return Objects.hash(contractAddress, treeSize, Arrays.hashCode(root), fabricChannel, fabricBlockHeight);
    }

    @Override
    public String toString() {
        return "AnchoredEvent[contract=" + contractAddress + ", treeSize=" + treeSize + ", root="
                + HexFormat.of().formatHex(root) + ", fabricChannel=" + fabricChannel + ", fabricBlockHeight="
                + fabricBlockHeight + "]";
    }
}
