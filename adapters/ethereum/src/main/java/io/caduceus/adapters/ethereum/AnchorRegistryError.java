package io.caduceus.adapters.ethereum;

import io.caduceus.core.chain.AnchorRegistry;
import java.util.List;
import java.util.Optional;
import org.web3j.crypto.Hash;

/** The custom errors of {@code AnchorRegistry.sol}, recognised by their 4-byte selector in revert data. */
public enum AnchorRegistryError {
    /** The sender is not the registry's {@code anchorer}. */
    NOT_ANCHORER("NotAnchorer", List.of(), AnchorRegistry.Refusal.NOT_ANCHORER),
    /** The tree size is not larger than {@code latestTreeSize}: arguments {@code (latest, proposed)}. */
    TREE_SIZE_MUST_GROW("TreeSizeMustGrow", List.of("uint64", "uint64"), AnchorRegistry.Refusal.TREE_SIZE_MUST_GROW),
    /** A zero root was proposed. */
    ZERO_ROOT("ZeroRoot", List.of(), AnchorRegistry.Refusal.ZERO_ROOT);

    private final String solidityName;
    private final List<String> parameterTypes;
    private final String signature;
    private final String selector;
    private final AnchorRegistry.Refusal refusal;

    AnchorRegistryError(String solidityName, List<String> parameterTypes, AnchorRegistry.Refusal refusal) {
        this.solidityName = solidityName;
        this.parameterTypes = parameterTypes;
        this.signature = solidityName + "(" + String.join(",", parameterTypes) + ")";
        this.selector = Hash.sha3String(signature).substring(0, 10);
        this.refusal = refusal;
    }

    /** The chain port's name for this error, what the bridge acts on. */
    public AnchorRegistry.Refusal refusal() {
        return refusal;
    }

    /** The error's name in the contract, e.g. {@code TreeSizeMustGrow}. */
    public String solidityName() {
        return solidityName;
    }

    /** The canonical signature, e.g. {@code TreeSizeMustGrow(uint64,uint64)}. */
    public String signature() {
        return signature;
    }

    /** {@code 0x} and the 8 hex digits that start the revert data. */
    public String selector() {
        return selector;
    }

    List<String> parameterTypes() {
        return parameterTypes;
    }

    /** The error whose selector starts {@code revertData} ({@code 0x}-prefixed hex), if any. */
    public static Optional<AnchorRegistryError> bySelector(String revertData) {
        if (revertData == null || revertData.length() < 10) {
            return Optional.empty();
        }
        String prefix = revertData.substring(0, 10).toLowerCase(java.util.Locale.ROOT);
        for (AnchorRegistryError error : values()) {
            if (error.selector.equals(prefix)) {
                return Optional.of(error);
            }
        }
        return Optional.empty();
    }
}
