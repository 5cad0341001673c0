package io.caduceus.edge.health;

import io.caduceus.adapters.kafka.KafkaClients;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

/**
 * Ready when the Kafka cluster answers a metadata request. A port that merely accepts connections is not enough:
 * a broker still starting, or a controller without quorum, would accept and then fail every produce.
 */
final class KafkaClusterHealthCheck extends BoundedHealthCheck {

    private static final int TIMEOUT_MS = 2_500;

    private volatile Admin admin;

    KafkaClusterHealthCheck() {
        super("kafka");
    }

    @Override
    protected Finding probe() throws InterruptedException {
        KafkaClients kafka = KafkaClients.of(getCamelContext());
        String bootstrap = kafka.bootstrapServers();
        try {
            Collection<Node> nodes = admin(kafka)
                    .describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS))
                    .nodes().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<String, Object> details = details("bootstrap.servers", bootstrap, "brokers", nodes.size());
            return nodes.isEmpty() ? Finding.down("Kafka answered with no brokers", details) : Finding.up(details);
        } catch (ExecutionException | TimeoutException e) {
            return Finding.down("Kafka at " + bootstrap + " did not answer within " + TIMEOUT_MS + " ms",
                    details("bootstrap.servers", bootstrap));
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
