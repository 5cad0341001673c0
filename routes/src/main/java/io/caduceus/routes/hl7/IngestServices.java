package io.caduceus.routes.hl7;

import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.adapters.vault.PostgresRecordVault;
import io.caduceus.adapters.vault.RecordVault;
import io.caduceus.core.domain.RecordIds;
import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.core.pseudonym.PatientPseudonymizer;
import io.caduceus.hl7.mapping.Hl7ToFhirMapper;
import io.caduceus.routes.records.ResourceKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-lived parts of HL7 ingest: the record vault, the mapper with its compiled mappings, the patient
 * pseudonymizer and the keyed identifiers, all keyed with the one deployment secret (the pseudonym secret file). One instance per application, opened at start and closed at stop; the beans of the ingest routes
 * share it.
 */
public final class IngestServices implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngestServices.class);

    private final RecordVault vault;
    private final Hl7ToFhirMapper mapper;
    private final PatientPseudonymizer pseudonymizer;
    private final DeploymentKeys keys;
    private final ResourceKeys resourceKeys;
    private final RecordIds recordIds;
    private final boolean readFormatOneIds;

    /**
     * @param readFormatOneIds whether records stored before keyed ids (format 1 record ids and lookup keys) are
     *                         looked for besides
     */
    IngestServices(RecordVault vault, Hl7ToFhirMapper.Builder mapper, byte[] deploymentSecret, boolean readFormatOneIds) {
        this.keys = new DeploymentKeys(deploymentSecret);
        this.vault = vault;
        this.mapper = mapper.resourceIdKey(keys.keyFor(DeploymentKeys.Purpose.RESOURCE_ID)).build();
        this.pseudonymizer = new PatientPseudonymizer(deploymentSecret);
        this.resourceKeys = new ResourceKeys(keys, readFormatOneIds);
        this.recordIds = new RecordIds(keys);
        this.readFormatOneIds = readFormatOneIds;
    }

    public static IngestServices open(CamelContext context) {
        IngestSettings settings = IngestSettings.from(context);
        MasterKey masterKey = MasterKey.fromFile(secretFile(settings.masterKeyFile(), settings.generateMissingSecrets()));
        byte[] pseudonymSecret = readSecret(secretFile(settings.pseudonymSecretFile(), settings.generateMissingSecrets()));
        Hl7ToFhirMapper.Builder mapperBuilder = Hl7ToFhirMapper.builder().defaultZone(settings.defaultZone());
        if (settings.externalMappings() != null) {
            mapperBuilder.externalMappings(settings.externalMappings());
        }
        RecordVault vault = switch (settings.vaultType()) {
            case "file" -> FileRecordVault.open(settings.vaultDirectory(), masterKey);
            case "postgres" -> PostgresRecordVault.open(settings.postgresUrl(), settings.postgresUser(), settings.postgresPassword(), masterKey);
            default -> throw new IllegalArgumentException("caduceus.vault.type must be 'file' or 'postgres'");
        };
        IngestServices services;
        try {
            services = new IngestServices(vault, mapperBuilder, pseudonymSecret, settings.readFormatOneIds());
        } catch (RuntimeException e) { // a faulty mapping file: fail without leaving the vault open
            vault.close();
            throw e;
        }
        LOG.info("HL7 ingest ready: {} vault, {} supported messages, mappings {}", settings.vaultType(),
                services.mapper().supportedMessages().size(), services.mapper().mappingVersion());
        return services;
    }

    public RecordVault vault() {
        return vault;
    }

    public Hl7ToFhirMapper mapper() {
        return mapper;
    }

    public PatientPseudonymizer pseudonymizer() {
        return pseudonymizer;
    }

    /** The per-purpose keys derived from the deployment secret. */
    public DeploymentKeys deploymentKeys() {
        return keys;
    }

    /** Vault lookup keys of FHIR resources. */
    public ResourceKeys resourceKeys() {
        return resourceKeys;
    }

    public RecordIds recordIds() {
        return recordIds;
    }

    /** Whether records stored before keyed ids are looked for under their format 1 record ids and lookup keys. */
    public boolean readFormatOneIds() {
        return readFormatOneIds;
    }

    @Override
    public void close() {
        try {
            vault.close();
        } catch (Exception e) {
            LOG.warn("closing the record vault failed: {}", e.getClass().getSimpleName());
        }
    }

    /**
     * Secrets are files readable by their owner only. Generating a missing one is for the devnet alone (the option
     * is off by default): a deployment that silently made up a new master key would lose every record.
     */
    private static Path secretFile(Path file, boolean generateIfMissing) {
        if (Files.exists(file) || !generateIfMissing) {
            return file;
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            Files.write(file, secret, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                Files.setPosixFilePermissions(file, Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: the deployer secures the folder.
            }
            LOG.warn("generated a new secret in {} (caduceus.secrets.generate-if-missing=true: devnet only)", file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create secret file " + file, e);
        }
    }

    private static byte[] readSecret(Path file) {
        try {
            byte[] secret = Files.readAllBytes(file);
            if (secret.length < 32) {
                throw new IllegalStateException("secret file " + file + " holds fewer than 32 bytes");
            }
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read secret file " + file + " (set caduceus.secrets.*)", e);
        }
    }

}
