package io.caduceus.routes;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The direction of the house: edges (edges/*) turn a protocol into the use cases, routes/ only wires them, and nothing
 * below an edge knows one. Each edge stands alone, so an engineer changing the FHIR server cannot break the MLLP
 * listener. Here, in the composition root, because only routes/ sees every module.
 */
class EdgesArchitectureTest {

    private static final String[] HL7_EDGE = {"io.caduceus.edge.hl7..", "io.caduceus.edge.mllp.."};
    private static final String[] FHIR_EDGE = {"io.caduceus.edge.fhir..", "io.caduceus.edge.consent.."};
    private static final String[] OPERATOR_EDGE = {"io.caduceus.edge.console..", "io.caduceus.edge.erasure..",
            "io.caduceus.edge.health..", "io.caduceus.edge.anchoring..", "io.caduceus.edge.status.."};

    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.caduceus");

    static final ArchRule EDGES_DO_NOT_KNOW_THE_WIRING = noClasses().that().resideInAPackage("io.caduceus.edge..")
            .should().dependOnClassesThat().resideInAPackage("io.caduceus.routes..")
            .because("routes/ composes the edges; an edge that reached back into it could not be wired differently");

    static final ArchRule HL7_EDGE_STANDS_ALONE = noClasses().that().resideInAnyPackage(HL7_EDGE)
            .should().dependOnClassesThat().resideInAnyPackage(concat(FHIR_EDGE, OPERATOR_EDGE))
            .because("the MLLP listener must not change when the FHIR server or the console does");

    static final ArchRule FHIR_EDGE_STANDS_ALONE = noClasses().that().resideInAnyPackage(FHIR_EDGE)
            .should().dependOnClassesThat().resideInAnyPackage(concat(HL7_EDGE, OPERATOR_EDGE))
            .because("the FHIR server must not change when the MLLP listener or the console does");

    static final ArchRule OPERATOR_EDGE_STANDS_ALONE = noClasses().that().resideInAnyPackage(OPERATOR_EDGE)
            .should().dependOnClassesThat().resideInAnyPackage(concat(HL7_EDGE, FHIR_EDGE))
            .because("the console reads through the use cases and the vault, not through another edge");

    static final ArchRule NOTHING_BELOW_KNOWS_AN_EDGE = noClasses().that().resideInAnyPackage("io.caduceus.core..",
                    "io.caduceus.ingest..", "io.caduceus.adapters..", "io.caduceus.bridge..", "io.caduceus.hl7..",
                    "io.caduceus.chaincode..", "io.caduceus.verifier..")
            .should().dependOnClassesThat().resideInAnyPackage("io.caduceus.edge..", "io.caduceus.routes..")
            .because("edges call the use cases and adapters implement the ports, never the other way");

    private static String[] concat(String[] a, String[] b) {
        String[] both = new String[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void importsEveryEdge() {
        assertThat(PRODUCTION.contain("io.caduceus.edge.hl7.Hl7Intake")).isTrue();
        assertThat(PRODUCTION.contain("io.caduceus.edge.fhir.FhirBeans")).isTrue();
        assertThat(PRODUCTION.contain("io.caduceus.edge.console.ConsoleBeans")).isTrue();
        assertThat(PRODUCTION.contain("io.caduceus.routes.CaduceusApplication")).isTrue();
    }

    @Test
    void edgesDoNotKnowTheWiring() {
        EDGES_DO_NOT_KNOW_THE_WIRING.check(PRODUCTION);
    }

    @Test
    void eachEdgeStandsAlone() {
        HL7_EDGE_STANDS_ALONE.check(PRODUCTION);
        FHIR_EDGE_STANDS_ALONE.check(PRODUCTION);
        OPERATOR_EDGE_STANDS_ALONE.check(PRODUCTION);
    }

    @Test
    void nothingBelowTheEdgesKnowsOne() {
        NOTHING_BELOW_KNOWS_AN_EDGE.check(PRODUCTION);
    }

    @Test
    void eachRuleFailsOnAClassThatBreaksIt() {
        // Guards the guards: probes in test sources, in the packages the rules watch, that break them.
        JavaClasses hl7Probe = new ClassFileImporter().importClasses(
                io.caduceus.edge.hl7.probe.Hl7EdgeReachingOut.class);
        assertThatThrownBy(() -> EDGES_DO_NOT_KNOW_THE_WIRING.check(hl7Probe)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> HL7_EDGE_STANDS_ALONE.check(hl7Probe)).isInstanceOf(AssertionError.class);
        JavaClasses fhirProbe = new ClassFileImporter().importClasses(
                io.caduceus.edge.fhir.probe.FhirEdgeReachingOut.class);
        assertThatThrownBy(() -> FHIR_EDGE_STANDS_ALONE.check(fhirProbe)).isInstanceOf(AssertionError.class);
        JavaClasses operatorProbe = new ClassFileImporter().importClasses(
                io.caduceus.edge.console.probe.OperatorEdgeReachingOut.class);
        assertThatThrownBy(() -> OPERATOR_EDGE_STANDS_ALONE.check(operatorProbe)).isInstanceOf(AssertionError.class);
        JavaClasses bridgeProbe = new ClassFileImporter().importClasses(
                io.caduceus.bridge.probe.BridgeKnowingAnEdge.class);
        assertThatThrownBy(() -> NOTHING_BELOW_KNOWS_AN_EDGE.check(bridgeProbe)).isInstanceOf(AssertionError.class);
    }
}
