package io.caduceus.routes.health;

import io.caduceus.routes.kafka.KafkaClients;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

/**
 * Ready when the Kafka cluster answers a metadata request. A port that merely accepts connections is not enough:
 * a broker still starting, or a controller without quorum, would accept and then fail every produce.
 */
final class KafkaClusterHealthCheck extends AbstractHealthCheck {

    private static final int TIMEOUT_MS = 3_000;

    private volatile Admin admin;

    KafkaClusterHealthCheck() {
        super("caduceus", "kafka");
    }

    @Override
    public boolean isLiveness() {
        // A broker outage must not make an orchestrator restart the middleware: it holds no ACK until durable anyway.
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        KafkaClients kafka = KafkaClients.of(getCamelContext());
        String bootstrap = kafka.bootstrapServers();
        builder.detail("bootstrap.servers", bootstrap);
        try {
            Collection<Node> nodes = admin(kafka)
                    .describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS))
                    .nodes().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            builder.detail("brokers", nodes.size());
            if (nodes.isEmpty()) {
                builder.message("Kafka answered with no brokers").down();
            } else {
                builder.up();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            builder.message("interrupted").down();
        } catch (ExecutionException | TimeoutException e) {
            builder.message("Kafka at " + bootstrap + " did not answer within " + TIMEOUT_MS + " ms").error(e).down();
        }
    }

    private Admin admin(KafkaClients kafka) {
        Admin current = admin;
        if (current == null) {
            synchronized (this) {
                current = admin;
                if (current == null) {
                    current = Admin.create(adminProperties(kafka));
                    admin = current;
                }
            }
        }
        return current;
    }

    static Properties adminProperties(KafkaClients kafka) {
        Properties props = kafka.properties("caduceus-health");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
        return props;
    }
}
