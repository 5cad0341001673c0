package io.caduceus.routes.hl7;

import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.adapters.vault.PostgresRecordVault;
import io.caduceus.adapters.vault.RecordVault;
import io.caduceus.core.pseudonym.PatientPseudonymizer;
import io.caduceus.core.secrets.SecretFiles;
import io.caduceus.hl7.mapping.Hl7ToFhirMapper;
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
 * The long-lived parts of HL7 ingest: the record vault, the mapper with its compiled mappings and the patient
 * pseudonymizer. One instance per application, opened at start and closed at stop; the beans of the ingest routes
 * share it.
 */
public final class IngestServices implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngestServices.class);

    private final RecordVault vault;
    private final Hl7ToFhirMapper mapper;
    private final PatientPseudonymizer pseudonymizer;

    IngestServices(RecordVault vault, Hl7ToFhirMapper mapper, PatientPseudonymizer pseudonymizer) {
        this.vault = vault;
        this.mapper = mapper;
        this.pseudonymizer = pseudonymizer;
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
        Hl7ToFhirMapper mapper = mapperBuilder.build();
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
        LOG.info("HL7 ingest ready: {} vault, {} supported messages, mappings {}", settings.vaultType(),
                mapper.supportedMessages().size(), mapper.mappingVersion());
        return new IngestServices(vault, mapper, new PatientPseudonymizer(pseudonymSecret));
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
