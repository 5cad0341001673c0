package io.caduceus.edge.services;

import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.adapters.vault.PostgresRecordVault;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.core.domain.RecordIds;
import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.core.pseudonym.PatientPseudonymizer;
import io.caduceus.core.secrets.SecretFiles;
import io.caduceus.hl7.mapping.Hl7ToFhirMapper;
import io.caduceus.edge.records.ResourceKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
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
    public IngestServices(RecordVault vault, Hl7ToFhirMapper.Builder mapper, byte[] deploymentSecret, boolean readFormatOneIds) {
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
        List<MasterKey> masterKeys = masterKeys(secretFile(settings.masterKeyFile(), settings.generateMissingSecrets()),
                settings.previousMasterKeyFiles());
        byte[] pseudonymSecret = readSecret(secretFile(settings.pseudonymSecretFile(), settings.generateMissingSecrets()),
                "the pseudonym key (caduceus.secrets.pseudonym-secret-file)");
        Hl7ToFhirMapper.Builder mapperBuilder = Hl7ToFhirMapper.builder().defaultZone(settings.defaultZone());
        if (settings.externalMappings() != null) {
            mapperBuilder.externalMappings(settings.externalMappings());
        }
        RecordVault vault = switch (settings.vaultType()) {
            case "file" -> FileRecordVault.open(settings.vaultDirectory(), masterKeys);
            case "postgres" -> {
                PostgresConnection db = PostgresConnection.of(settings.postgresUrl(), settings.postgresUser(),
                        settings.postgresPassword(), settings.postgresPasswordFile(), settings.postgresSslMode(),
                        settings.postgresSslRootCert());
                yield rewrapped(PostgresRecordVault.open(db.jdbcUrl(), db.user(), db.password(), masterKeys, "caduceus_vault"),
                        masterKeys.size() > 1);
            }
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

    /**
     * The current master key first (it wraps every new data key), then the previous ones, which only unwrap data keys
     * written before a rotation. Each wrapped key carries the id (fingerprint) of the key that wrapped it, so the
     * right one is picked; the vaults re-wrap under the current key (the file vault all at open, PostgreSQL on use).
     */
    static List<MasterKey> masterKeys(Path current, List<Path> previous) {
        List<MasterKey> keys = new ArrayList<>();
        SecretFiles.requireOwnerOnly(current, "the vault master key (caduceus.secrets.master-key-file)");
        keys.add(MasterKey.fromFile(current));
        for (Path file : previous) {
            SecretFiles.requireOwnerOnly(file, "a previous vault master key (caduceus.secrets.previous-master-key-files)");
            MasterKey key = MasterKey.fromFile(file);
            if (keys.stream().anyMatch(k -> k.keyId().equals(key.keyId()))) {
                throw new IllegalArgumentException("caduceus.secrets.previous-master-key-files: " + file
                        + " holds the same key as the current master key file or another previous one (" + key.keyId() + ")");
            }
            keys.add(key);
        }
        if (keys.size() > 1) {
            LOG.info("vault master key {} wraps new data keys; previous keys {} only unwrap older ones",
                    keys.get(0).keyId(), keys.subList(1, keys.size()).stream().map(MasterKey::keyId).toList());
        }
        return List.copyOf(keys);
    }

    /** After a rotation, moves every data key to the current master key now, so the old one can be retired. */
    private static PostgresRecordVault rewrapped(PostgresRecordVault vault, boolean rotating) {
        if (rotating) {
            LOG.info("vault: {} data keys re-wrapped under the current master key", vault.rewrapOlderKeys());
        }
        return vault;
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
            try {
                // Created owner-only, so the secret is never readable by others, not even until a chmod.
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file); // not a POSIX file system: the deployer secures the folder
            }
            Files.write(file, secret, StandardOpenOption.WRITE);
            LOG.warn("generated a new secret in {} (caduceus.secrets.generate-if-missing=true: devnet only)", file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create secret file " + file, e);
        }
    }

    static byte[] readSecret(Path file, String purpose) {
        byte[] secret = SecretFiles.read(file, purpose);
        if (secret.length < 32) {
            throw new IllegalStateException(purpose + ": " + file + " holds fewer than 32 bytes");
        }
        return secret;
    }

}
