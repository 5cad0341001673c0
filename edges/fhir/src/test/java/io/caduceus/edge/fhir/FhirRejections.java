package io.caduceus.edge.fhir;

import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/** Rejections of FHIR content as validation throws them, for tests in other packages. */
public final class FhirRejections {

    private FhirRejections() {
    }

    /** 422: the resource failed validation. */
    public static FhirRejection invalidContent() {
        return FhirRejection.content(422, IssueType.INVALID, "Patient.birthDate: invalid date", "Patient.birthDate");
    }
}
