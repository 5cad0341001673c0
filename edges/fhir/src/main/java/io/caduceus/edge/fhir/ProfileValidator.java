package io.caduceus.edge.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationOptions;
import ca.uhn.fhir.validation.ValidationResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one FHIR validator of the application: building it loads every R4 StructureDefinition, ValueSet and CodeSystem
 * (seconds, tens of MB), so it is built once and shared; HAPI's validator is thread-safe.
 *
 * <p>Resources are checked against the R4 base profiles, the profiles they claim in {@code meta.profile}, and, for a
 * top-level resource, every constraint profile of its type found in the profiles folder (conformance resources in
 * JSON or XML; ValueSets and CodeSystems there are used for their bindings). Terminology is checked in memory: codes
 * of FHIR's own code systems are verified, external ones (LOINC, SNOMED CT) are not, since no terminology server is
 * consulted. Only errors and fatal issues reject; warnings and information do not.
 */
final class ProfileValidator {

    private static final Logger LOG = LoggerFactory.getLogger(ProfileValidator.class);
    private static final int MAX_ISSUES = 50;

    private final FhirValidator validator;
    private final Map<String, List<String>> profilesByType;

    private ProfileValidator(FhirValidator validator, Map<String, List<String>> profilesByType) {
        this.validator = validator;
        this.profilesByType = profilesByType;
    }

    /**
     * HAPI's own module, a new InstanceValidator per validation. Keeping one per thread gives the same issues but was
     * measured slower under load (docs/performance.md, "FHIR inbound at speed": ~40 MB more live heap, young
     * collections twice as often, more CPU per bundle), so it was not kept.
     */
    static ProfileValidator create(FhirContext fhir, Path profilesDirectory) {
        PrePopulatedValidationSupport custom = new PrePopulatedValidationSupport(fhir);
        Map<String, List<String>> profilesByType = new HashMap<>();
        if (profilesDirectory != null) {
            loadProfiles(fhir, profilesDirectory, custom, profilesByType);
        }
        ValidationSupportChain chain = new ValidationSupportChain(
                new DefaultProfileValidationSupport(fhir),
                custom,
                new CommonCodeSystemsTerminologyService(fhir),
                new InMemoryTerminologyServerValidationSupport(fhir),
                new SnapshotGeneratingValidationSupport(fhir));
        FhirInstanceValidator module = new FhirInstanceValidator(chain);
        // Extensions are how FHIR is extended; requiring each one's definition would refuse most real traffic.
        module.setAnyExtensionsAllowed(true);
        FhirValidator validator = fhir.newValidator().registerValidatorModule(module);
        return new ProfileValidator(validator, Map.copyOf(profilesByType));
    }

    /**
     * Validates request text (not the parsed resource: the tolerant parser drops what it cannot read, and the
     * validator must see exactly what was sent).
     *
     * @return the error issues, empty when the content is valid
     */
    List<FhirRejection.Issue> validate(String text, String resourceType) {
        ValidationOptions options = new ValidationOptions();
        profilesByType.getOrDefault(resourceType, List.of()).forEach(options::addProfile);
        ValidationResult result;
        try {
            result = validator.validateWithResult(text, options);
        } catch (RuntimeException e) {
            // The validator gave up on this content: the content's fault (a retry would fail the same way), not an outage.
            return List.of(FhirRejection.Issue.error(IssueType.PROCESSING, "the content could not be validated ("
                    + e.getClass().getSimpleName() + ")"));
        }
        List<FhirRejection.Issue> issues = new ArrayList<>();
        for (SingleValidationMessage message : result.getMessages()) {
            if (message.getSeverity() != ResultSeverityEnum.ERROR && message.getSeverity() != ResultSeverityEnum.FATAL) {
                continue;
            }
            if (issues.size() == MAX_ISSUES) {
                issues.add(FhirRejection.Issue.error(IssueType.TOOCOSTLY, "more errors were found and not listed"));
                break;
            }
            issues.add(new FhirRejection.Issue(message.getSeverity() == ResultSeverityEnum.FATAL ? IssueSeverity.FATAL
                    : IssueSeverity.ERROR, issueType(message.getMessageId()), OperationOutcomes.redact(message.getMessage()),
                    message.getLocationString(), message.getMessageId()));
        }
        return issues;
    }

    /** The profiles folder's constraint profiles by resource type, for the CapabilityStatement. */
    Map<String, List<String>> customProfiles() {
        return profilesByType;
    }

    static IssueType issueType(String messageId) {
        if (messageId == null) {
            return IssueType.PROCESSING;
        }
        if (messageId.startsWith("Terminology_") || messageId.contains("CodeSystem") || messageId.contains("ValueSet")) {
            return IssueType.CODEINVALID;
        }
        if (messageId.startsWith("Extension_")) {
            return IssueType.EXTENSION;
        }
        if (messageId.startsWith("Type_Specific_Checks_") || messageId.contains("_Primitive_")) {
            return IssueType.VALUE;
        }
        if (messageId.contains("Minimum") || messageId.contains("Missing") || messageId.contains("Required")) {
            return IssueType.REQUIRED;
        }
        if (messageId.contains("Unknown") || messageId.contains("Unrecognised") || messageId.contains("Unrecognized")
                || messageId.contains("Maximum") || messageId.contains("Structure")) {
            return IssueType.STRUCTURE;
        }
        return messageId.contains("Invariant") || messageId.contains("Constraint") ? IssueType.INVARIANT : IssueType.PROCESSING;
    }

    private static void loadProfiles(FhirContext fhir, Path directory, PrePopulatedValidationSupport custom,
            Map<String, List<String>> profilesByType) {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("caduceus.fhir.profiles-directory " + directory + " is not a folder");
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
                if (!name.endsWith(".json") && !name.endsWith(".xml")) {
                    continue;
                }
                String text = Files.readString(file, StandardCharsets.UTF_8);
                IBaseResource resource = (name.endsWith(".json") ? fhir.newJsonParser() : fhir.newXmlParser()).parseResource(text);
                custom.addResource(resource);
                if (resource instanceof StructureDefinition sd
                        && sd.getDerivation() == StructureDefinition.TypeDerivationRule.CONSTRAINT
                        && sd.getKind() == StructureDefinition.StructureDefinitionKind.RESOURCE && sd.hasUrl()) {
                    profilesByType.computeIfAbsent(sd.getType(), t -> new ArrayList<>()).add(sd.getUrl());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read FHIR profiles from " + directory, e);
        }
        LOG.info("FHIR profiles loaded from {}: {} constraint profiles", directory,
                profilesByType.values().stream().mapToInt(List::size).sum());
    }
}
