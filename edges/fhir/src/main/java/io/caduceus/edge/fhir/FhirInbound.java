package io.caduceus.edge.fhir;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.edge.records.ResourceKeys;
import org.apache.camel.spi.Registry;
import org.hl7.fhir.r4.model.CapabilityStatement;

/**
 * The beans behind the write routes of camel/fhir-inbound.camel.yaml, one per step, built together since they share
 * the validator, the vault and the settings. A write goes {@link FhirCallers#authenticate} (401), {@link FhirIntake#check}
 * (scopes 403, size and nesting 413/400, parsing 400, validation 422), then within the store deadline
 * {@link FhirRecordStore#receive} (vault) and the route's Kafka step, and {@link FhirAcknowledger#accepted}; content at
 * fault goes {@link FhirQuarantine#quarantine} then {@link FhirRefusals#rejected}; a vault or Kafka failure goes
 * {@link FhirRefusals#failed} (503, the client retries and lands on the same record). {@link FhirMetadata} answers
 * GET /fhir/metadata.
 */
final class FhirInbound {

    private final FhirCallers callers;
    private final FhirIntake intake;
    private final FhirRecordStore store;
    private final FhirAcknowledger acknowledger;
    private final FhirQuarantine quarantine;
    private final FhirRefusals refusals;
    private final FhirMetadata metadata;

    FhirInbound(FhirContext fhir, FhirSettings settings, FhirAuthenticator authenticator, ProfileValidator validator,
            FhirRecords records, RecordVault vault, ResourceKeys resourceKeys, CapabilityStatement capabilityStatement) {
        this(fhir, settings, authenticator, validator, records, vault, resourceKeys, capabilityStatement,
                ReferenceChecker.Policy.CHECK_FORMAT);
    }

    FhirInbound(FhirContext fhir, FhirSettings settings, FhirAuthenticator authenticator, ProfileValidator validator,
            FhirRecords records, RecordVault vault, ResourceKeys resourceKeys, CapabilityStatement capabilityStatement,
            ReferenceChecker.Policy referencePolicy) {
        this.callers = new FhirCallers(authenticator);
        this.intake = new FhirIntake(fhir, settings, validator, records,
                new ReferenceChecker(fhir, vault, resourceKeys, referencePolicy), resourceKeys);
        this.store = new FhirRecordStore(intake, records);
        this.acknowledger = new FhirAcknowledger(fhir, settings);
        this.quarantine = new FhirQuarantine(vault);
        this.refusals = new FhirRefusals(fhir);
        this.metadata = new FhirMetadata(fhir, settings, authenticator, capabilityStatement);
    }

    /** Binds each step under the name camel/fhir-inbound.camel.yaml refers to it by. */
    void bind(Registry registry) {
        registry.bind("fhirCallers", callers);
        registry.bind("fhirIntake", intake);
        registry.bind("fhirRecordStore", store);
        registry.bind("fhirAcknowledger", acknowledger);
        registry.bind("fhirQuarantine", quarantine);
        registry.bind("fhirRefusals", refusals);
        registry.bind("fhirMetadata", metadata);
    }

    FhirCallers callers() {
        return callers;
    }

    FhirIntake intake() {
        return intake;
    }

    FhirRecordStore store() {
        return store;
    }

    FhirAcknowledger acknowledger() {
        return acknowledger;
    }

    FhirQuarantine quarantine() {
        return quarantine;
    }

    FhirRefusals refusals() {
        return refusals;
    }

    FhirMetadata metadata() {
        return metadata;
    }
}
