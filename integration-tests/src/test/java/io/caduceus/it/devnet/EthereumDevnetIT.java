package io.caduceus.it.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.utils.Numeric;

/**
 * The devnet's real Ethereum node (hardhat, chain id 31337): compiles {@code src/test/solidity/Greeter.sol} with the
 * devnet's offline solc-js launcher, deploys it with a chain-id-bound {@link RawTransactionManager}, changes its
 * state and reads it back through a view, checking receipts and the emitted event.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"ethereum"})
class EthereumDevnetIT {

    private static final Logger LOG = LoggerFactory.getLogger(EthereumDevnetIT.class);
    private static final BigInteger GAS_LIMIT = BigInteger.valueOf(3_000_000);

    private static Web3j web3j;
    private static Credentials credentials;
    private static RawTransactionManager txManager;
    private static long chainId;

    @BeforeAll
    static void connect() throws Exception {
        chainId = Long.parseLong(Devnet.property("ethereum.chain.id"));
        web3j = Web3j.build(new HttpService(Devnet.property("ethereum.rpc.url")));
        credentials = Credentials.create(Devnet.property("ethereum.dev.private.key")); // public devnet test key
        txManager = new RawTransactionManager(web3j, credentials, chainId);
        assertThat(web3j.ethChainId().send().getChainId()).isEqualTo(BigInteger.valueOf(chainId));
    }

    @AfterAll
    static void disconnect() {
        if (web3j != null) {
            web3j.shutdown();
        }
    }

    @Test
    void deploysGreeterChangesStateAndReadsItBack() throws Exception {
        Path out = Devnet.repoDir().resolve("integration-tests/target/solidity");
        compile(out, Devnet.repoDir().resolve("integration-tests/src/test/solidity/Greeter.sol"));
        String bin = Files.readString(out.resolve("Greeter.bin")).trim();
        assertThat(bin).isNotEmpty().matches("[0-9a-f]+");

        // Deploy: creation code + ABI-encoded constructor argument.
        String deployData = bin + FunctionEncoder.encodeConstructor(List.of(new Utf8String("Hello, devnet")));
        TransactionReceipt deployed = mine(txManager.sendTransaction(gasPrice(), GAS_LIMIT, "", deployData, BigInteger.ZERO, true));
        assertThat(deployed.isStatusOK()).as("deployment status %s", deployed.getStatus()).isTrue();
        String contract = deployed.getContractAddress();
        assertThat(contract).startsWith("0x").hasSize(42);
        assertThat(web3j.ethGetCode(contract, DefaultBlockParameterName.LATEST).send().getCode()).isNotEqualTo("0x");
        LOG.info("Greeter deployed at {} in block {}, gas used {}", contract, deployed.getBlockNumber(), deployed.getGasUsed());

        assertThat(greet(contract)).isEqualTo("Hello, devnet");
        assertThat(changes(contract)).isEqualTo(BigInteger.ZERO);

        // State change through a signed transaction.
        String newGreeting = "Hello from EthereumDevnetIT";
        Function setGreeting = new Function("setGreeting", List.of(new Utf8String(newGreeting)), List.of());
        TransactionReceipt changed = mine(txManager.sendTransaction(gasPrice(), GAS_LIMIT, contract,
                FunctionEncoder.encode(setGreeting), BigInteger.ZERO));
        assertThat(changed.isStatusOK()).as("setGreeting status %s", changed.getStatus()).isTrue();
        assertThat(changed.getFrom()).isEqualToIgnoringCase(credentials.getAddress());
        assertThat(changed.getTo()).isEqualToIgnoringCase(contract);
        LOG.info("setGreeting mined in block {}, gas used {}", changed.getBlockNumber(), changed.getGasUsed());

        // The event: GreetingChanged(address indexed by, string greeting, uint256 changes).
        Event greetingChanged = new Event("GreetingChanged", List.of(
                new TypeReference<Address>(true) { }, new TypeReference<Utf8String>() { }, new TypeReference<Uint256>() { }));
        assertThat(changed.getLogs()).hasSize(1);
        Log log = changed.getLogs().get(0);
        assertThat(log.getAddress()).isEqualToIgnoringCase(contract);
        assertThat(log.getTopics().get(0)).isEqualTo(EventEncoder.encode(greetingChanged));
        assertThat(Numeric.toBigInt(log.getTopics().get(1))).isEqualTo(Numeric.toBigInt(credentials.getAddress()));
        @SuppressWarnings("rawtypes") // web3j returns List<Type> with a raw element type
        List<Type> eventData = FunctionReturnDecoder.decode(log.getData(), greetingChanged.getNonIndexedParameters());
        assertThat(eventData.get(0).getValue()).isEqualTo(newGreeting);
        assertThat(eventData.get(1).getValue()).isEqualTo(BigInteger.ONE);

        // The views see the new state.
        assertThat(greet(contract)).isEqualTo(newGreeting);
        assertThat(changes(contract)).isEqualTo(BigInteger.ONE);
    }

    private static String greet(String contract) throws IOException {
        Function greet = new Function("greet", List.of(), List.of(new TypeReference<Utf8String>() { }));
        return (String) call(contract, greet).get(0).getValue();
    }

    private static BigInteger changes(String contract) throws IOException {
        Function changes = new Function("changes", List.of(), List.of(new TypeReference<Uint256>() { }));
        return (BigInteger) call(contract, changes).get(0).getValue();
    }

    @SuppressWarnings("rawtypes")
    private static List<Type> call(String contract, Function function) throws IOException {
        String result = txManager.sendCall(contract, FunctionEncoder.encode(function), DefaultBlockParameterName.LATEST);
        List<Type> decoded = FunctionReturnDecoder.decode(result, function.getOutputParameters());
        assertThat(decoded).as("result of %s", function.getName()).hasSize(function.getOutputParameters().size());
        return decoded;
    }

    private static BigInteger gasPrice() throws IOException {
        return web3j.ethGasPrice().send().getGasPrice();
    }

    /** Waits for the receipt of a sent transaction (hardhat automines, so this is quick). */
    private static TransactionReceipt mine(EthSendTransaction sent) {
        assertThat(sent.hasError()).as("send error: %s", sent.hasError() ? sent.getError().getMessage() : "").isFalse();
        String hash = sent.getTransactionHash();
        AtomicReference<TransactionReceipt> receipt = new AtomicReference<>();
        await("receipt of " + hash).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            web3j.ethGetTransactionReceipt(hash).send().getTransactionReceipt().ifPresent(receipt::set);
            return receipt.get() != null;
        });
        return receipt.get();
    }

    /** Runs the devnet's offline Solidity compiler (solc-js): {@code <launcher> OUTDIR FILE.sol}. */
    private static void compile(Path outDir, Path source) throws Exception {
        String launcher = Devnet.property("ethereum.solc.compile");
        Path logFile = Files.createTempFile("solc-", ".log");
        try {
            Process process = new ProcessBuilder(launcher, outDir.toString(), source.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .start();
            boolean finished = process.waitFor(5, TimeUnit.MINUTES);
            String output = Files.readString(logFile, StandardCharsets.UTF_8);
            if (!finished) {
                process.destroyForcibly();
            }
            assertThat(finished).as("solc finished within 5 minutes; output:%n%s", output).isTrue();
            assertThat(process.exitValue()).as("solc exit code; output:%n%s", output).isZero();
            LOG.info("{}", output.strip());
        } finally {
            Files.deleteIfExists(logFile);
        }
        assertThat(outDir.resolve("Greeter.abi")).isRegularFile();
        assertThat(outDir.resolve("combined.json")).isRegularFile();
    }
}
