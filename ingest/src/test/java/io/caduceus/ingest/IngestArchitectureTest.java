package io.caduceus.ingest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The application layer owns the use cases and the ports they need; edges and adapters depend on it, never the other
 * way. Plain Jupiter tests on ArchUnit's API, as in core, so that the rules surely run.
 */
class IngestArchitectureTest {

    private static final JavaClasses INGEST = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.caduceus.ingest");

    private static final ArchRule NO_TECHNOLOGY = noClasses().should().dependOnClassesThat().resideInAnyPackage(
                    "org.apache.camel..", "org.apache.kafka..", "org.hyperledger..", "org.web3j..", "io.netty..",
                    "ca.uhn..", "org.hl7..", "java.sql..", "com.fasterxml..", "org.slf4j..")
            .because("the use cases are the same whichever technology carries a record in or out");

    private static final ArchRule NO_EDGE_OR_ADAPTER = noClasses().should().dependOnClassesThat().resideInAnyPackage(
                    "io.caduceus.adapters..", "io.caduceus.routes..", "io.caduceus.bridge..", "io.caduceus.hl7..",
                    "io.caduceus.chaincode..", "io.caduceus.verifier..")
            .because("adapters implement the ports declared here, and edges call the use cases");

    @Test
    void importsTheUseCasesAndThePorts() {
        assertThat(INGEST.contain("io.caduceus.ingest.RecordIntake")).isTrue();
        assertThat(INGEST.contain("io.caduceus.ingest.vault.RecordVault")).isTrue();
    }

    @Test
    void theApplicationLayerUsesNoTechnology() {
        NO_TECHNOLOGY.check(INGEST);
    }

    @Test
    void theApplicationLayerDependsOnNoEdgeAndNoAdapter() {
        NO_EDGE_OR_ADAPTER.check(INGEST);
    }

    @Test
    void eachRuleFailsOnAClassThatBreaksIt() {
        // Guards the guards: the same rules over classes that really break them must fail.
        JavaClasses jdbcUser = new ClassFileImporter().importClasses(UsesJdbc.class);
        assertThatThrownBy(() -> NO_TECHNOLOGY.check(jdbcUser)).isInstanceOf(AssertionError.class);
        JavaClasses adapterUser = new ClassFileImporter().importClasses(UsesAnAdapter.class);
        assertThatThrownBy(() -> NO_EDGE_OR_ADAPTER.check(adapterUser)).isInstanceOf(AssertionError.class);
    }

    /** Depends on JDBC, as a use case must not (a vault adapter does). */
    static final class UsesJdbc {
        java.sql.Connection connection;
    }

    /** Depends on an adapter, as a use case must not. */
    static final class UsesAnAdapter {
        io.caduceus.adapters.probe.SomeAdapter adapter;
    }
}
