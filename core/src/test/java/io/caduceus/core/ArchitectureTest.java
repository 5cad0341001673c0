package io.caduceus.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * core is the domain every other module and every outside verifier builds on; it stays free of frameworks so that an
 * auditor's verifier can depend on it without pulling in a middleware stack. Plain Jupiter tests on ArchUnit's API,
 * because ArchUnit's own engine is not picked up by this build's surefire and a rule that never runs protects nothing.
 */
class ArchitectureTest {

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.caduceus.core");

    @Test
    void importsTheWholeDomain() {
        assertThat(CORE.contain("io.caduceus.core.merkle.MerkleLogs")).isTrue();
        assertThat(CORE.size()).isGreaterThan(20);
    }

    @Test
    void coreUsesNoFramework() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                        "org.apache.camel..", "org.apache.kafka..", "org.hyperledger..", "org.web3j..", "ca.uhn..",
                        "com.fasterxml..", "org.springframework..", "io.quarkus..", "org.slf4j..", "org.yaml..")
                .because("core must depend on nothing but the JDK")
                .check(CORE);
    }

    @Test
    void coreDoesNotReachIntoOtherModules() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.caduceus.adapters..", "io.caduceus.routes..",
                        "io.caduceus.bridge..", "io.caduceus.hl7..", "io.caduceus.chaincode..")
                .check(CORE);
    }

    @Test
    void theRuleCatchesAViolation() {
        // Guards the guard: the same rule shape must fail on a dependency core really has.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("javax.crypto..").check(CORE)).isInstanceOf(AssertionError.class);
    }
}
