package io.caduceus.adapters.ethereum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caduceus.core.chain.AnchorRegistry;
import io.caduceus.core.chain.ChainException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/** The hand-written ABI wrapper against the ABI that the build compiled from AnchorRegistry.sol. */
class AnchorRegistryContractTest {

    private static final String CONTRACT = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    private static final byte[] ROOT = HexFormat.of().parseHex("1f0c" + "ab".repeat(30));

    @Test
    void compiledContractIsOnTheClasspath() {
        assertThat(AnchorRegistryContract.creationCode()).matches("[0-9a-f]{200,}");
        assertThat(AnchorRegistryContract.runtimeCode()).matches("[0-9a-f]{200,}");
        // The runtime code holds each function's selector (dispatcher) and each error's selector (reverts).
        for (String signature : List.of("anchor(uint64,bytes32,bytes32,uint64)", "rootAt(uint64)",
                "latestTreeSize()", "anchorer()")) {
            assertThat(AnchorRegistryContract.runtimeCode()).contains(selector(signature).substring(2));
        }
        for (AnchorRegistryError error : AnchorRegistryError.values()) {
            assertThat(AnchorRegistryContract.runtimeCode()).contains(error.selector().substring(2));
        }
    }

    @Test
    void wrapperMatchesTheCompiledAbi() throws Exception {
        JsonNode abi = new ObjectMapper().readTree(AnchorRegistryContract.abiJson());
        Set<String> functions = new TreeSet<>();
        Set<String> errors = new TreeSet<>();
        Set<String> events = new TreeSet<>();
        String constructor = null;
        for (JsonNode entry : abi) {
            String signature = entry.path("name").asText() + "(" + types(entry.get("inputs")) + ")";
            switch (entry.get("type").asText()) {
                case "function" -> functions.add(signature + " returns (" + types(entry.get("outputs")) + ") "
                        + entry.get("stateMutability").asText());
                case "error" -> errors.add(signature);
                case "event" -> events.add(signature);
                case "constructor" -> constructor = types(entry.get("inputs"));
                default -> throw new AssertionError("unexpected ABI entry " + entry);
            }
        }
        assertThat(constructor).isEqualTo("address");
        assertThat(functions).containsExactlyInAnyOrder(
                "anchor(uint64,bytes32,bytes32,uint64) returns () nonpayable",
                "rootAt(uint64) returns (bytes32) view",
                "latestTreeSize() returns (uint64) view",
                "anchorer() returns (address) view");
        assertThat(errors).containsExactlyInAnyOrder(
                AnchorRegistryError.NOT_ANCHORER.signature(),
                AnchorRegistryError.TREE_SIZE_MUST_GROW.signature(),
                AnchorRegistryError.ZERO_ROOT.signature());
        assertThat(events).containsExactly("Anchored(uint64,bytes32,bytes32,uint64)");
        assertThat(AnchorRegistryContract.ANCHORED_TOPIC)
                .isEqualTo(Hash.sha3String("Anchored(uint64,bytes32,bytes32,uint64)"));
        JsonNode anchored = null;
        for (JsonNode entry : abi) {
            if ("Anchored".equals(entry.path("name").asText())) {
                anchored = entry;
            }
        }
        List<Boolean> indexed = new ArrayList<>();
        anchored.get("inputs").forEach(input -> indexed.add(input.get("indexed").asBoolean()));
        assertThat(indexed).containsExactly(true, true, false, false);
    }

    @Test
    void encodesAnchorCalldata() {
        String data = AnchorRegistryContract.encodeAnchor(5, ROOT, "caduceus", 17);
        assertThat(data).isEqualTo(selector("anchor(uint64,bytes32,bytes32,uint64)")
                + word("5")
                + HexFormat.of().formatHex(ROOT)
                + "6361647563657573" + "0".repeat(48)
                + word("11"));
    }

    @Test
    void encodesViewsAndDecodesTheirResults() {
        assertThat(org.web3j.abi.FunctionEncoder.encode(AnchorRegistryContract.rootAtFunction(300)))
                .isEqualTo(selector("rootAt(uint64)") + word("12c"));
        assertThat(AnchorRegistryContract.decodeRootAt("0x" + HexFormat.of().formatHex(ROOT))).isEqualTo(ROOT);
        assertThat(AnchorRegistryContract.decodeRootAt("0x" + "0".repeat(64))).isEqualTo(new byte[32]);
        assertThat(AnchorRegistryContract.decodeLatestTreeSize("0x" + word("2a"))).isEqualTo(42);
        assertThat(AnchorRegistryContract.decodeAnchorer("0x" + "0".repeat(24) + CONTRACT.substring(2)))
                .isEqualTo(CONTRACT);
    }

    @Test
    void anEmptyResultMeansNoRegistryAtTheAddress() {
        assertThatThrownBy(() -> AnchorRegistryContract.decodeLatestTreeSize("0x"))
                .isInstanceOfSatisfying(EthereumException.class, e -> assertThat(e.isRetriable()).isFalse())
                .hasMessageContaining("is the address an AnchorRegistry?");
    }

    @Test
    void deployDataIsCreationCodeAndTheAnchorer() {
        String anchorer = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
        assertThat(AnchorRegistryContract.deployData(anchorer)).isEqualTo(AnchorRegistryContract.creationCode()
                + "0".repeat(24) + "f39fd6e51aad88f6f4ce6ab8827279cfffb92266");
        assertThatThrownBy(() -> AnchorRegistryContract.deployData("0x1234"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesValuesTheContractCannotTake() {
        assertThatThrownBy(() -> AnchorRegistryContract.encodeAnchor(-1, ROOT, "c", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("treeSize");
        assertThatThrownBy(() -> AnchorRegistryContract.encodeAnchor(1, ROOT, "c", -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fabricBlockHeight");
        assertThatThrownBy(() -> AnchorRegistryContract.encodeAnchor(1, new byte[31], "c", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    }

    @Test
    void channelNamesAreUtf8RightPaddedToBytes32() {
        assertThat(AnchorRegistryContract.channelToBytes32("caduceus"))
                .isEqualTo(java.util.Arrays.copyOf("caduceus".getBytes(StandardCharsets.US_ASCII), 32));
        String full = "x".repeat(32);
        assertThat(AnchorRegistryContract.bytes32ToChannel(AnchorRegistryContract.channelToBytes32(full)))
                .isEqualTo(full);
        String unicode = "kanal-ü-ß-病院"; // multi-byte UTF-8
        assertThat(AnchorRegistryContract.bytes32ToChannel(AnchorRegistryContract.channelToBytes32(unicode)))
                .isEqualTo(unicode);
        assertThatThrownBy(() -> AnchorRegistryContract.channelToBytes32("x".repeat(33)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("33 bytes");
        assertThatThrownBy(() -> AnchorRegistryContract.channelToBytes32("ü".repeat(17))) // 34 bytes
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AnchorRegistryContract.channelToBytes32(""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AnchorRegistryContract.channelToBytes32("a\0b"))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] notUtf8 = new byte[32];
        notUtf8[0] = (byte) 0xff;
        assertThatThrownBy(() -> AnchorRegistryContract.bytes32ToChannel(notUtf8))
                .isInstanceOf(EthereumException.class);
    }

    @Test
    void decodesTheAnchoredEventOfTheRegistryOnly() {
        Log anchored = log(CONTRACT.toUpperCase().replace("0X", "0x"), AnchorRegistryContract.ANCHORED_TOPIC);
        Log foreignEvent = log(CONTRACT, Hash.sha3String("Transfer(address,address,uint256)"));
        Log otherContract = log("0x" + "11".repeat(20), AnchorRegistryContract.ANCHORED_TOPIC);
        TransactionReceipt receipt = new TransactionReceipt();
        receipt.setLogs(List.of(foreignEvent, anchored, otherContract));

        assertThat(AnchorRegistryContract.anchoredEvents(receipt, CONTRACT))
                .containsExactly(new AnchoredEvent(CONTRACT, 5, ROOT, "caduceus", 17));
    }

    @Test
    void decodesEachCustomErrorByName() {
        AnchorRegistryRevertException grow = AnchorRegistryContract.revert("anchor",
                AnchorRegistryError.TREE_SIZE_MUST_GROW.selector() + word("a") + word("9"), "0x" + "cd".repeat(32));
        assertThat(grow.error()).contains(AnchorRegistryError.TREE_SIZE_MUST_GROW);
        assertThat(grow.arguments()).containsExactly(BigInteger.TEN, BigInteger.valueOf(9));
        assertThat(grow.isRetriable()).isFalse();
        assertThat(grow.transactionHash()).contains("0x" + "cd".repeat(32));
        assertThat(grow).hasMessageContaining("TreeSizeMustGrow(10, 9)").hasMessageContaining("cdcd");
        // What the bridge acts on, through the chain port: it knows no custom error of this adapter.
        assertThat(grow).isInstanceOf(ChainException.class);
        assertThat(grow.refusal()).contains(AnchorRegistry.Refusal.TREE_SIZE_MUST_GROW);

        AnchorRegistryRevertException zero = AnchorRegistryContract.revert("anchor",
                Hash.sha3String("ZeroRoot()").substring(0, 10), null);
        assertThat(zero.error()).contains(AnchorRegistryError.ZERO_ROOT);
        assertThat(zero.arguments()).isEmpty();
        assertThat(zero.refusal()).contains(AnchorRegistry.Refusal.ZERO_ROOT);

        AnchorRegistryRevertException notAnchorer = AnchorRegistryContract.revert("anchor",
                Hash.sha3String("NotAnchorer()").substring(0, 10).toUpperCase().replace("0X", "0x"), null);
        assertThat(notAnchorer.error()).contains(AnchorRegistryError.NOT_ANCHORER);
        assertThat(notAnchorer.refusal()).contains(AnchorRegistry.Refusal.NOT_ANCHORER);
    }

    @Test
    void foreignOrMissingRevertDataIsStillAPermanentRevert() {
        // Error(string) "nope": not one of the registry's errors.
        AnchorRegistryRevertException foreign = AnchorRegistryContract.revert("anchor", "0x08c379a0" + word("20"), null);
        assertThat(foreign.error()).isEmpty();
        assertThat(foreign.refusal()).isEmpty();
        assertThat(foreign.isRetriable()).isFalse();
        assertThat(foreign).hasMessageContaining("unknown data");
        assertThat(AnchorRegistryContract.revert("anchor", null, null)).hasMessageContaining("without data");
        assertThat(AnchorRegistryContract.revert("anchor", "0x", null)).hasMessageContaining("without data");
        // Truncated arguments: the error is known, its arguments are not.
        AnchorRegistryRevertException truncated = AnchorRegistryContract.revert("anchor",
                AnchorRegistryError.TREE_SIZE_MUST_GROW.selector() + "00", null);
        assertThat(truncated.error()).contains(AnchorRegistryError.TREE_SIZE_MUST_GROW);
    }

    @Test
    void findsRevertDataInGethAndHardhatErrorShapes() {
        String data = AnchorRegistryError.ZERO_ROOT.selector();
        assertThat(AnchorRegistryContract.revertData(data)).isEqualTo(data); // geth: error.data is the hex string
        assertThat(AnchorRegistryContract.revertData("\"" + data + "\"")).isEqualTo(data);
        assertThat(AnchorRegistryContract.revertData(
                "{\"message\":\"reverted\",\"txHash\":\"0x" + "ab".repeat(32) + "\",\"data\":\"" + data + "\"}"))
                .isEqualTo(data); // hardhat
        assertThat(AnchorRegistryContract.revertData(null)).isNull();
        assertThat(AnchorRegistryContract.revertData("")).isNull();
        assertThat(AnchorRegistryContract.revertData("{\"message\":\"no data\"}")).isNull();
        assertThat(AnchorRegistryContract.revertData("\"execution reverted\"")).isNull();
        assertThat(AnchorRegistryContract.revertData("{not json")).isNull();
    }

    static String selector(String signature) {
        return Hash.sha3String(signature).substring(0, 10);
    }

    static String word(String hex) {
        return "0".repeat(64 - hex.length()) + hex;
    }

    private static Log log(String address, String topic0) {
        Log log = new Log();
        log.setAddress(address);
        log.setTopics(List.of(topic0, "0x" + word("5"), "0x" + HexFormat.of().formatHex(ROOT)));
        log.setData("0x6361647563657573" + "0".repeat(48) + word("11"));
        return log;
    }

    private static String types(JsonNode params) {
        List<String> types = new ArrayList<>();
        params.forEach(p -> types.add(p.get("type").asText()));
        return String.join(",", types);
    }
}
