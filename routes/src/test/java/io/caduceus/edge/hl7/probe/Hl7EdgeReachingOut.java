package io.caduceus.edge.hl7.probe;

/** Breaks two rules of EdgesArchitectureTest on purpose: the HL7 edge using the wiring and the FHIR edge. */
public final class Hl7EdgeReachingOut {
    io.caduceus.routes.CaduceusApplication wiring;
    io.caduceus.edge.fhir.FhirBeans fhir;
}
