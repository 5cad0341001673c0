package io.caduceus.edge.console.probe;

/** Breaks EdgesArchitectureTest's rule for the operator edge on purpose: it uses the FHIR edge. */
public final class OperatorEdgeReachingOut {
    io.caduceus.edge.fhir.FhirBeans fhir;
}
