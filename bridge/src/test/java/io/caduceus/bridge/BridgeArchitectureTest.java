package io.caduceus.bridge;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The bridge owns anchoring (the Merkle log, the anchorer, proofs, the anchoring service) and declares the ports it
 * needs (LedgerSource, LedgerFeed, ReceiptSink, LedgerLookup, DevnetHook); the Kafka and Fabric adapters implement
 * them and the routes module wires them. The chain it anchors in is core's chain port (io.caduceus.core.chain), which
 * the Ethereum adapter implements: the bridge names neither the adapter nor web3j. Plain Jupiter tests on ArchUnit's API, as in core, so the rules surely run.
 */
class BridgeArchitectureTest {

    private static final JavaClasses BRIDGE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.caduceus.bridge");

    private static final ArchRule NO_FRAMEWORK = noClasses().should().dependOnClassesThat().resideInAnyPackage(
                    "org.apache.camel..", "org.apache.kafka..", "org.hyperledger..", "io.grpc..", "io.micrometer..")
            .because("the bridge runs the same whichever technology feeds it and whichever framework hosts it");

    private static final ArchRule NO_CHAIN_TECHNOLOGY = noClasses().should().dependOnClassesThat().resideInAnyPackage(
                    "org.web3j..", "okhttp3..")
            .because("the bridge anchors through the chain port (io.caduceus.core.chain); adapters/ethereum is where "
                    + "web3j is called, through its one call wrapper");

    private static final ArchRule NO_ADAPTER_OR_EDGE = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("io.caduceus.adapters..", "io.caduceus.routes..", "io.caduceus.edge..",
                    "io.caduceus.devnet..")
            .because("adapters implement the bridge's ports and the wiring picks them; the devnet bootstrap is found "
                    + "through DevnetHook, never named");

    @Test
    void importsTheBridgeAndItsAnchoringService() {
        assertThat(BRIDGE.contain("io.caduceus.bridge.anchoring.AnchoringService")).isTrue();
        assertThat(BRIDGE.contain("io.caduceus.bridge.DefaultAnchorer")).isTrue();
    }

    @Test
    void theBridgeUsesNoCamelKafkaOrFabric() {
        NO_FRAMEWORK.check(BRIDGE);
    }

    @Test
    void theBridgeCallsNoChainLibrary() {
        NO_CHAIN_TECHNOLOGY.check(BRIDGE);
    }

    @Test
    void theBridgeDependsOnNoAdapterNoEdgeAndNoDevnetCode() {
        NO_ADAPTER_OR_EDGE.check(BRIDGE);
    }

    @Test
    void eachRuleFailsOnAClassThatBreaksIt() {
        // Guards the guards: the same rules over classes that really break them must fail.
        JavaClasses kafkaUser = new ClassFileImporter().importClasses(UsesKafka.class);
        assertThatThrownBy(() -> NO_FRAMEWORK.check(kafkaUser)).isInstanceOf(AssertionError.class);
        JavaClasses kafkaAdapterUser = new ClassFileImporter().importClasses(UsesTheKafkaAdapter.class);
        assertThatThrownBy(() -> NO_ADAPTER_OR_EDGE.check(kafkaAdapterUser)).isInstanceOf(AssertionError.class);
        JavaClasses web3jUser = new ClassFileImporter().importClasses(UsesWeb3j.class);
        assertThatThrownBy(() -> NO_CHAIN_TECHNOLOGY.check(web3jUser)).isInstanceOf(AssertionError.class);
        JavaClasses ethereumAdapterUser = new ClassFileImporter().importClasses(UsesTheEthereumAdapter.class);
        assertThatThrownBy(() -> NO_ADAPTER_OR_EDGE.check(ethereumAdapterUser)).isInstanceOf(AssertionError.class);
        // ...and pass on the chain port, which the bridge does use.
        NO_CHAIN_TECHNOLOGY.check(new ClassFileImporter().importClasses(UsesTheChainPort.class));
        NO_ADAPTER_OR_EDGE.check(new ClassFileImporter().importClasses(UsesTheChainPort.class));
    }

    /** Depends on a Kafka class, as the bridge must not. */
    static final class UsesKafka {
        org.apache.kafka.probe.KafkaProbe client;
    }

    /** Depends on the Kafka adapter, as the bridge must not. */
    static final class UsesTheKafkaAdapter {
        io.caduceus.adapters.kafka.probe.KafkaAdapterProbe adapter;
    }

    /** Depends on a web3j class, as the bridge must not. */
    static final class UsesWeb3j {
        org.web3j.probe.Web3jProbe client;
    }

    /** Depends on the Ethereum adapter, as the bridge must not. */
    static final class UsesTheEthereumAdapter {
        io.caduceus.adapters.ethereum.probe.EthereumAdapterProbe adapter;
    }

    /** Depends on the chain port only, as the bridge does. */
    static final class UsesTheChainPort {
        io.caduceus.core.chain.AnchoringChain chain;
    }
}
