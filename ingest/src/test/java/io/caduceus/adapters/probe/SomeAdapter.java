package io.caduceus.adapters.probe;

/** Stands for any adapter in IngestArchitectureTest's proof that its rule can fail; test sources only. */
public final class SomeAdapter {
}
