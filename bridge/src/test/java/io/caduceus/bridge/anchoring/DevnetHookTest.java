package io.caduceus.bridge.anchoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.bridge.anchoring.LedgerSource.Binding;
import io.caduceus.core.chain.AnchorRegistry;
import io.caduceus.core.chain.AnchoringChain;
import io.caduceus.core.chain.ChainAccounts;
import io.caduceus.core.chain.ChainNode;
import io.caduceus.core.chain.TransactionLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The devnet bootstrap is a dev-only module: asking for it without it on the classpath stops the start, clearly. */
class DevnetHookTest {

    @TempDir
    Path dir;

    private AnchorSettings settings(boolean devnetBootstrap) {
        Map<String, String> props = Map.of("caduceus.anchor.directory", dir.resolve("anchor").toString(),
                "caduceus.anchor.devnet-bootstrap", Boolean.toString(devnetBootstrap));
        return AnchorSettings.from(key -> Optional.ofNullable(props.get(key)));
    }

    @Test
    void devnetBootstrapWithoutTheDevnetModuleFailsTheStartNamingTheModuleAndTheFix() {
        // The bridge's own test classpath holds no devnet module, as a production image does not.
        AtomicBoolean bound = new AtomicBoolean();
        LedgerSource source = (log, outbox, latency) -> {
            bound.set(true);
            throw new AssertionError("nothing may be opened before the configuration is refused");
        };
        assertThatThrownBy(() -> AnchoringService.open(settings(true), source, new UnusedChain()))
                .isInstanceOf(DevnetHook.DevnetHookMissingException.class)
                .isInstanceOf(AnchorSetupException.class)
                .hasMessageContaining("caduceus.anchor.devnet-bootstrap=true")
                .hasMessageContaining("caduceus-devnet-bootstrap")
                .hasMessageContaining("caduceus.anchor.contract");
        assertThat(bound).isFalse();
        assertThat(Files.exists(dir.resolve("anchor/log"))).isFalse();
    }

    @Test
    void withoutTheDevnetBootstrapNoHookIsAskedForEvenWhenOneIsPresent() {
        assertThat(DevnetHook.required(settings(false), List.of(new NoHook()))).isEmpty();
        assertThat(DevnetHook.required(settings(false))).isEmpty();
    }

    @Test
    void withTheDevnetBootstrapTheHookFoundIsUsed() {
        NoHook hook = new NoHook();
        assertThat(DevnetHook.required(settings(true), List.of(hook))).containsSame(hook);
    }

    @Test
    void aServiceWithoutTheDevnetBootstrapOpensItsLogAndFeed() {
        AtomicBoolean started = new AtomicBoolean();
        LedgerFeed feed = new LedgerFeed() {
            @Override
            public void start() {
                started.set(true);
            }

            @Override
            public Map<String, Object> status() {
                return Map.of("source", "test");
            }

            @Override
            public void close() {
            }
        };
        try (AnchoringService service = AnchoringService.open(settings(false),
                (log, outbox, latency) -> new Binding(feed, outbox, Optional.empty(), "a test feed", () -> { }),
                new UnusedChain())) {
            assertThat(started).isTrue();
            assertThat(service.status()).containsEntry("logSize", 0L).containsEntry("feed", Map.of("source", "test"));
        }
    }

    private static final class NoHook implements DevnetHook {
        @Override
        public void ensureKey(AnchorSettings settings) {
        }

        @Override
        public void ensureFunded(AnchorSettings settings, String address) {
        }

        @Override
        public String ensureRegistry(AnchorSettings settings, String anchorer) {
            return "0x" + "0".repeat(40);
        }
    }

    /** Opening the service must not touch the chain: the ticks connect it. */
    private static final class UnusedChain implements AnchoringChain {
        @Override
        public ChainNode connectNode() {
            throw new AssertionError("the chain is connected by the ticks, not by open");
        }

        @Override
        public String signerAddress() {
            throw new AssertionError("the key is opened by the ticks, not by open");
        }

        @Override
        public AnchorRegistry registry(String contract) {
            throw new AssertionError("the chain is connected by the ticks, not by open");
        }

        @Override
        public TransactionLookup transactions() {
            throw new AssertionError("the chain is connected by the ticks, not by open");
        }

        @Override
        public ChainAccounts accounts() {
            throw new AssertionError("the metrics ask the chain, not open");
        }
    }
}
