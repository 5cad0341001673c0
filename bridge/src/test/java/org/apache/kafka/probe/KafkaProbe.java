package org.apache.kafka.probe;

/** Test only: stands in for a Kafka client class (not on the bridge's classpath), for BridgeArchitectureTest's guard. */
public final class KafkaProbe {
}
