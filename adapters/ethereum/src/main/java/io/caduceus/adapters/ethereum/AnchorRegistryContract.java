package io.caduceus.adapters.ethereum;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.protocol.ObjectMapperFactory;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * The ABI of {@code src/main/solidity/AnchorRegistry.sol}, written by hand on web3j's encoders (web3j's code
 * generator is not available to this build): calldata of every function, decoding of results, of the
 * {@code Anchored} event and of the custom errors, and the creation bytecode compiled by the Maven build.
 * Stateless and free of I/O except {@link #creationCode()}, which reads a classpath resource.
 */
public final class AnchorRegistryContract {

    /** Classpath folder of the compiled contract ({@code AnchorRegistry.abi}, {@code .bin}, {@code .bin-runtime}). */
    public static final String RESOURCE_PREFIX = "/io/caduceus/adapters/ethereum/AnchorRegistry";

    /** {@code Anchored(uint64 indexed treeSize, bytes32 indexed root, bytes32 fabricChannel, uint64 fabricBlockHeight)}. */
    public static final Event ANCHORED = new Event("Anchored", List.of(
            new TypeReference<Uint64>(true) { }, new TypeReference<Bytes32>(true) { },
            new TypeReference<Bytes32>() { }, new TypeReference<Uint64>() { }));

    /** topic0 of {@link #ANCHORED}. */
    public static final String ANCHORED_TOPIC = EventEncoder.encode(ANCHORED);

    private AnchorRegistryContract() {
    }

    // ---- deployment -------------------------------------------------------------------------------------------

    /** The creation bytecode, hex without {@code 0x}, as compiled by the build. */
    public static String creationCode() {
        return resource(".bin");
    }

    /** The runtime bytecode (what {@code eth_getCode} returns after deployment), hex without {@code 0x}. */
    public static String runtimeCode() {
        return resource(".bin-runtime");
    }

    /** The ABI JSON. */
    public static String abiJson() {
        return resource(".abi");
    }

    /** Data of the deployment transaction: creation code and the ABI-encoded {@code constructor(address anchorer_)}. */
    public static String deployData(String anchorer) {
        return creationCode() + FunctionEncoder.encodeConstructor(List.of(new Address(requireAddress(anchorer))));
    }

    private static String resource(String suffix) {
        String name = RESOURCE_PREFIX + suffix;
        try (InputStream in = AnchorRegistryContract.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + name
                        + ": the Maven build compiles it from src/main/solidity (adapters/ethereum/compile-contracts.sh)");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    // ---- functions ----------------------------------------------------------------------------------------------

    /** {@code anchor(uint64 treeSize, bytes32 root, bytes32 fabricChannel, uint64 fabricBlockHeight)}. */
    public static Function anchorFunction(long treeSize, byte[] root, String fabricChannel, long fabricBlockHeight) {
        return new Function("anchor", List.of(
                uint64(treeSize, "treeSize"), new Bytes32(requireRoot(root)), new Bytes32(channelToBytes32(fabricChannel)),
                uint64(fabricBlockHeight, "fabricBlockHeight")), List.of());
    }

    public static String encodeAnchor(long treeSize, byte[] root, String fabricChannel, long fabricBlockHeight) {
        return FunctionEncoder.encode(anchorFunction(treeSize, root, fabricChannel, fabricBlockHeight));
    }

    /** {@code rootAt(uint64) returns (bytes32)}. */
    public static Function rootAtFunction(long treeSize) {
        return new Function("rootAt", List.of(uint64(treeSize, "treeSize")), List.of(new TypeReference<Bytes32>() { }));
    }

    /** {@code latestTreeSize() returns (uint64)}. */
    public static Function latestTreeSizeFunction() {
        return new Function("latestTreeSize", List.of(), List.of(new TypeReference<Uint64>() { }));
    }

    /** {@code anchorer() returns (address)}. */
    public static Function anchorerFunction() {
        return new Function("anchorer", List.of(), List.of(new TypeReference<Address>() { }));
    }

    /** The 32 bytes returned by {@code rootAt}; all zero when nothing was anchored at that size. */
    public static byte[] decodeRootAt(String result) {
        return ((Bytes32) decodeSingle(result, rootAtFunction(0))).getValue();
    }

    public static long decodeLatestTreeSize(String result) {
        return ((Uint64) decodeSingle(result, latestTreeSizeFunction())).getValue().longValueExact();
    }

    public static String decodeAnchorer(String result) {
        return ((Address) decodeSingle(result, anchorerFunction())).getValue();
    }

    @SuppressWarnings("rawtypes")
    private static Type decodeSingle(String result, Function function) {
        List<Type> decoded = FunctionReturnDecoder.decode(result, function.getOutputParameters());
        if (decoded.size() != 1) {
            // "0x": no contract at the address (a call to an account without code succeeds and returns nothing).
            throw new EthereumException(function.getName() + "() returned '" + result
                    + "': is the address an AnchorRegistry?", false, null);
        }
        return decoded.get(0);
    }

    // ---- events ---------------------------------------------------------------------------------------------------

    /** Every {@code Anchored} event that {@code contractAddress} emitted in the receipt, in log order. */
    public static List<AnchoredEvent> anchoredEvents(TransactionReceipt receipt, String contractAddress) {
        List<AnchoredEvent> events = new ArrayList<>();
        for (Log log : receipt.getLogs()) {
            if (log.getAddress() != null && log.getAddress().equalsIgnoreCase(contractAddress)) {
                decodeAnchored(log).ifPresent(events::add);
            }
        }
        return events;
    }

    /** The log as an {@code Anchored} event, or empty when it is another event. */
    @SuppressWarnings("rawtypes")
    public static Optional<AnchoredEvent> decodeAnchored(Log log) {
        List<String> topics = log.getTopics();
        if (topics == null || topics.size() != 3 || !ANCHORED_TOPIC.equalsIgnoreCase(topics.get(0))) {
            return Optional.empty();
        }
        List<Type> data = FunctionReturnDecoder.decode(log.getData(), ANCHORED.getNonIndexedParameters());
        if (data.size() != 2) {
            throw new EthereumException("malformed Anchored event data: " + log.getData(), false, null);
        }
        long treeSize = Numeric.toBigInt(topics.get(1)).longValueExact();
        byte[] root = Numeric.hexStringToByteArray(topics.get(2));
        String channel = bytes32ToChannel(((Bytes32) data.get(0)).getValue());
        long height = ((Uint64) data.get(1)).getValue().longValueExact();
        return Optional.of(new AnchoredEvent(log.getAddress().toLowerCase(Locale.ROOT), treeSize, root, channel, height));
    }

    // ---- errors ---------------------------------------------------------------------------------------------------

    /**
     * A revert as a typed exception: the registry's custom error decoded by selector with its arguments, or an
     * undecoded revert when the data is empty or foreign.
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    public static AnchorRegistryRevertException revert(String context, String revertData, String transactionHash) {
        Optional<AnchorRegistryError> error = AnchorRegistryError.bySelector(revertData);
        if (error.isEmpty()) {
            String shown = revertData == null || revertData.isEmpty() || "0x".equals(revertData)
                    ? "without data (out of gas, or not an AnchorRegistry?)" : "with unknown data " + revertData;
            return new AnchorRegistryRevertException(context + " reverted " + shown, null, List.of(), revertData,
                    transactionHash);
        }
        AnchorRegistryError e = error.get();
        List<TypeReference<Type>> types = new ArrayList<>();
        for (int i = 0; i < e.parameterTypes().size(); i++) {
            types.add((TypeReference) new TypeReference<Uint64>() { });
        }
        List<BigInteger> args = new ArrayList<>();
        if (!types.isEmpty()) {
            try {
                for (Type value : FunctionReturnDecoder.decode(revertData.substring(10), types)) {
                    args.add((BigInteger) value.getValue());
                }
            } catch (RuntimeException truncated) {
                args.clear(); // the error is still known by its selector; its arguments are not
            }
        }
        String shownArgs = args.stream().map(BigInteger::toString).reduce((a, b) -> a + ", " + b).orElse("");
        return new AnchorRegistryRevertException(context + " reverted: " + e.solidityName() + "(" + shownArgs + ")",
                e, args, revertData, transactionHash);
    }

    /**
     * The revert data of a JSON-RPC error: geth puts the hex string in {@code error.data}; hardhat nests it in an
     * object ({@code {"message":..., "txHash":..., "data":"0x..."}}). web3j keeps objects as raw JSON text.
     *
     * @param errorData {@code Response.Error#getData()} of a JSON-RPC error answer
     * @return {@code 0x}-prefixed hex revert data, or {@code null} when the error carries none
     */
    public static String revertData(String errorData) {
        JsonNode node = parseErrorData(errorData);
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            String text = node.asText();
            return text.matches("0x([0-9a-fA-F]{2})*") ? text : null;
        }
        return node.isObject() && node.has("data") ? revertData(node.get("data").toString()) : null;
    }

    /** {@code error.data} of a JSON-RPC answer as JSON: a bare hex string is taken as a JSON string. */
    static JsonNode parseErrorData(String errorData) {
        if (errorData == null || errorData.isBlank()) {
            return null;
        }
        String text = errorData.strip();
        if (text.startsWith("0x")) {
            text = "\"" + text + "\"";
        }
        try {
            return ObjectMapperFactory.getObjectMapper().readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    // ---- values ---------------------------------------------------------------------------------------------------

    /**
     * A Fabric channel name as {@code bytes32}: UTF-8, right-padded with zeros. Refuses names that would not come
     * back unchanged from {@link #bytes32ToChannel}: empty, longer than 32 bytes, or containing NUL.
     */
    public static byte[] channelToBytes32(String channel) {
        Objects.requireNonNull(channel, "fabricChannel");
        byte[] utf8 = channel.getBytes(StandardCharsets.UTF_8);
        if (utf8.length == 0 || utf8.length > 32 || channel.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Fabric channel name must be 1..32 UTF-8 bytes without NUL, got "
                    + utf8.length + " bytes");
        }
        return Arrays.copyOf(utf8, 32);
    }

    /** The inverse of {@link #channelToBytes32}: drops the zero padding, decodes strict UTF-8. */
    public static String bytes32ToChannel(byte[] value) {
        int end = value.length;
        while (end > 0 && value[end - 1] == 0) {
            end--;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value, 0, end)).toString();
        } catch (CharacterCodingException e) {
            throw new EthereumException("fabricChannel is not UTF-8: " + Numeric.toHexString(value), false, e);
        }
    }

    static byte[] requireRoot(byte[] root) {
        Objects.requireNonNull(root, "root");
        if (root.length != 32) {
            throw new IllegalArgumentException("root must be 32 bytes, got " + root.length);
        }
        return root.clone();
    }

    static String requireAddress(String address) {
        Objects.requireNonNull(address, "address");
        if (!address.matches("0x[0-9a-fA-F]{40}")) {
            throw new IllegalArgumentException("not an Ethereum address (0x and 40 hex digits): " + address);
        }
        return address;
    }

    private static Uint64 uint64(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
        return new Uint64(BigInteger.valueOf(value));
    }
}
