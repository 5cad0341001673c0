package io.caduceus.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes sure the real devnet is up before an integration test class runs: reuses a running one, or starts it with
 * {@code devnet/devnet up} and stops what it started once the whole test run ends. Annotate test classes with
 * {@code @ExtendWith(DevnetExtension.class)} and {@code @DevnetServices({"kafka", ...})}.
 */
public final class DevnetExtension implements BeforeAllCallback {

    private static final long UP_TIMEOUT_MINUTES = 30;
    /** The exit code devnet/devnet uses for "this service cannot be provided on this machine". */
    private static final int SERVICE_UNAVAILABLE = 3;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        DevnetServices services = context.getRequiredTestClass().getAnnotation(DevnetServices.class);
        String[] wanted = services == null ? new String[0] : services.value();
        ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.create(DevnetExtension.class));
        for (String service : wanted) {
            store.getOrComputeIfAbsent("service:" + service, key -> start(service), StartedService.class);
        }
    }

    private static StartedService start(String service) {
        Path devnet = Devnet.repoDir().resolve("devnet/devnet");
        boolean wasRunning = run(devnet.toString(), "health", service) == 0;
        if (!wasRunning) {
            int exit = run(devnet.toString(), "up", service);
            if (exit == SERVICE_UNAVAILABLE) {
                // Not a failure of Caduceus: the machine cannot provide the service (the registry refuses its
                // sources). The tests that need it are reported as skipped with the reason, never as passed.
                Assumptions.abort("devnet service '" + service + "' is unavailable on this machine; see devnet/.run/logs/");
            }
            if (exit != 0) {
                throw new IllegalStateException("devnet service '" + service + "' did not come up; see devnet/.run/logs/");
            }
        }
        return new StartedService(devnet, service, !wasRunning && !"true".equals(System.getenv("CADUCEUS_KEEP_DEVNET")));
    }

    static int run(String... command) {
        List<String> cmd = new ArrayList<>(List.of(command));
        try {
            Process process = new ProcessBuilder(cmd).inheritIO().start();
            if (!process.waitFor(UP_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + UP_TIMEOUT_MINUTES + " min");
            }
            return process.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", cmd), e);
        }
    }

    /** Stops, at the end of the whole run, a service that this run started (and only such a one). */
    record StartedService(Path devnet, String service, boolean stopAtEnd) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            if (stopAtEnd) {
                run(devnet.toString(), "down", service);
            }
        }
    }
}
