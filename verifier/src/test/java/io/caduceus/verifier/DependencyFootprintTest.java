package io.caduceus.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The auditor's jar must not drag in the middleware's stack: every extra library is code the auditor has to trust.
 * Checks the runtime dependency list Maven resolved (written by maven-dependency-plugin before the tests); ShadedJarIT
 * checks the jar itself after packaging.
 */
class DependencyFootprintTest {

    static final List<String> FORBIDDEN_GROUPS = List.of("org.apache.camel", "org.apache.kafka", "org.hyperledger",
            "ca.uhn");

    /** web3j's wallet, IPC, websocket and blob extras, excluded in the pom because the verifier never uses them. */
    static final List<String> UNUSED_WEB3J_EXTRAS = List.of("software.amazon.awssdk", "io.netty", "com.github.jnr",
            "org.java-websocket", "io.consensys.protocols", "io.tmio");

    @Test
    void noCamelKafkaFabricOrHapiAtRuntime() throws Exception {
        Path list = Path.of("target", "runtime-dependencies.txt");
        assertThat(list).as("written by maven-dependency-plugin:list in generate-test-resources").exists();
        List<String> lines = Files.readAllLines(list).stream().map(String::strip)
                .filter(l -> l.matches("[^\\s:]+:[^\\s:]+:.*")).toList();
        assertThat(lines).as("resolved runtime dependencies").isNotEmpty()
                .anyMatch(l -> l.startsWith("org.web3j:core:"))
                .anyMatch(l -> l.startsWith("io.caduceus:caduceus-core:"));
        for (String line : lines) {
            for (String group : UNUSED_WEB3J_EXTRAS) {
                assertThat(line).as("runtime dependency excluded from web3j").doesNotStartWith(group + ":");
            }
            for (String group : FORBIDDEN_GROUPS) {
                assertThat(line).as("runtime dependency").doesNotStartWith(group);
            }
            assertThat(line).as("only core and the Ethereum adapter of Caduceus")
                    .satisfiesAnyOf(l -> assertThat(l).doesNotStartWith("io.caduceus:"),
                            l -> assertThat(l).matches("io\\.caduceus:caduceus-(core|adapter-ethereum):.*"));
        }
    }
}
