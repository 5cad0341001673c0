package io.caduceus.routes.health;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;

/** Registers the readiness checks of the systems the middleware depends on. */
public final class DependencyHealthChecks {

    private DependencyHealthChecks() {
    }

    public static void register(CamelContext context) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            throw new IllegalStateException("Camel health checks are not available: camel-health is missing from the classpath");
        }
        registry.register(new KafkaClusterHealthCheck());
        registry.register(new EthereumNodeHealthCheck());
    }
}
