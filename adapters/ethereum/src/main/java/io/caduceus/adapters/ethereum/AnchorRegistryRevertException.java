package io.caduceus.adapters.ethereum;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * The {@code AnchorRegistry} refused a call or transaction. Permanent ({@link #isRetriable()} is false): sending
 * the same anchor again can only fail the same way. {@link #error()} is empty when the revert data was not one of
 * the registry's custom errors (e.g. out of gas, or the address is not a registry); {@link #refusal()} is the chain
 * port's name for the same error.
 */
public class AnchorRegistryRevertException extends EthereumException {

    private static final long serialVersionUID = 1L;

    private final AnchorRegistryError error;
    private final List<BigInteger> arguments;
    private final String revertData;

    public AnchorRegistryRevertException(String message, AnchorRegistryError error, List<BigInteger> arguments,
                                         String revertData, String transactionHash) {
        super(message, null, transactionHash, error == null ? null : error.refusal());
        this.error = error;
        this.arguments = List.copyOf(arguments);
        this.revertData = revertData;
    }

    /** The decoded custom error, if the revert data carried one of the registry's. */
    public Optional<AnchorRegistryError> error() {
        return Optional.ofNullable(error);
    }

    /** The error's arguments in declaration order, e.g. {@code [latest, proposed]} for TreeSizeMustGrow. */
    public List<BigInteger> arguments() {
        return arguments;
    }

    /** The raw revert data ({@code 0x}-prefixed hex), if the node returned any. */
    public Optional<String> revertData() {
        return Optional.ofNullable(revertData);
    }
}
