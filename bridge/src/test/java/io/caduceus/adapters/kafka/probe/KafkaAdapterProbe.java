package io.caduceus.adapters.kafka.probe;

/** Test only: stands in for a class of the Kafka adapter, for the guard test of BridgeArchitectureTest. */
public final class KafkaAdapterProbe {
}
