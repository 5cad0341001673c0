package io.caduceus.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes sure the real devnet is up before an integration test class runs: reuses a running one, or starts it with
 * {@code devnet/devnet up} and stops what it started once the whole test run ends. Annotate test classes with
 * {@code @ExtendWith(DevnetExtension.class)} and {@code @DevnetServices({"kafka", ...})}.
 *
 * <p>Works as an execution condition, evaluated before anything else of the class: a service this machine cannot
 * provide ({@code devnet/devnet up} exits 3) disables the class, so its tests are reported as skipped with the
 * reason, never as passed.
 */
public final class DevnetExtension implements ExecutionCondition {

    private static final long UP_TIMEOUT_MINUTES = 30;
    /** The exit code devnet/devnet uses for "this service cannot be provided on this machine". */
    private static final int SERVICE_UNAVAILABLE = 3;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isPresent() || context.getTestClass().isEmpty()) {
            return ConditionEvaluationResult.enabled("services were checked for the class");
        }
        DevnetServices services = context.getTestClass().get().getAnnotation(DevnetServices.class);
        if (services == null) {
            return ConditionEvaluationResult.enabled("no devnet services needed");
        }
        ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.create(DevnetExtension.class));
        for (String service : services.value()) {
            StartedService started = store.getOrComputeIfAbsent("service:" + service, key -> start(service), StartedService.class);
            if (!started.available()) {
                return ConditionEvaluationResult.disabled("devnet service '" + service
                        + "' is unavailable on this machine (devnet/devnet up " + service + " exits 3); see devnet/.run/logs/");
            }
        }
        return ConditionEvaluationResult.enabled("devnet services up");
    }

    private static StartedService start(String service) {
        Path devnet = Devnet.repoDir().resolve("devnet/devnet");
        boolean wasRunning = run(devnet.toString(), "health", service) == 0;
        if (wasRunning) {
            return new StartedService(devnet, service, true, false);
        }
        int exit = run(devnet.toString(), "up", service);
        if (exit == SERVICE_UNAVAILABLE) {
            return new StartedService(devnet, service, false, false);
        }
        if (exit != 0) {
            throw new IllegalStateException("devnet service '" + service + "' did not come up; see devnet/.run/logs/");
        }
        return new StartedService(devnet, service, true, !"true".equals(System.getenv("CADUCEUS_KEEP_DEVNET")));
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
    record StartedService(Path devnet, String service, boolean available, boolean stopAtEnd) implements AutoCloseable {
        @Override
        public void close() {
            if (stopAtEnd) {
                run(devnet.toString(), "down", service);
            }
        }
    }
}
