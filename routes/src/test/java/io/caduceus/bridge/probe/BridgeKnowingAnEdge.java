package io.caduceus.bridge.probe;

/** Breaks EdgesArchitectureTest's rule that nothing below the edges knows one, on purpose. */
public final class BridgeKnowingAnEdge {
    io.caduceus.edge.services.IngestServices services;
}
