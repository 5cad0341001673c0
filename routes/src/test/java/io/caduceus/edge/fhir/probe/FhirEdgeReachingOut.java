package io.caduceus.edge.fhir.probe;

/** Breaks EdgesArchitectureTest's rule for the FHIR edge on purpose: it uses the HL7 edge. */
public final class FhirEdgeReachingOut {
    io.caduceus.edge.hl7.Hl7Intake hl7;
}
