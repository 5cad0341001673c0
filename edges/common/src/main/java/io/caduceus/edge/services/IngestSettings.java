package io.caduceus.edge.services;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import org.apache.camel.CamelContext;

/**
 * The ingest options, read from Camel's properties so that every one can be set in application.properties, in a
 * file of $CADUCEUS_CONFIG_DIR or as a system property. Documented where they are declared: application.properties.
 */
record IngestSettings(String vaultType, Path vaultDirectory, Path masterKeyFile, List<Path> previousMasterKeyFiles,
        Path pseudonymSecretFile, boolean generateMissingSecrets, Path externalMappings, ZoneId defaultZone, String postgresUrl,
        String postgresUser, String postgresPassword, Path postgresPasswordFile, String postgresSslMode,
        Path postgresSslRootCert, boolean readFormatOneIds) {

    static IngestSettings from(CamelContext context) {
        return new IngestSettings(
                property(context, "caduceus.vault.type", "file"),
                Path.of(property(context, "caduceus.vault.directory", "data/vault")),
                Path.of(property(context, "caduceus.secrets.master-key-file", "data/secrets/master.key")),
                paths(property(context, "caduceus.secrets.previous-master-key-files", "")),
                Path.of(property(context, "caduceus.secrets.pseudonym-secret-file", "data/secrets/pseudonym.key")),
                Boolean.parseBoolean(property(context, "caduceus.secrets.generate-if-missing", "false")),
                blankToNull(property(context, "caduceus.mappings.external-directory", "")),
                ZoneId.of(property(context, "caduceus.mappings.default-zone", "UTC")),
                property(context, "postgres.jdbc.url", ""),
                property(context, "postgres.user", ""),
                property(context, "postgres.password", ""),
                blankToNull(property(context, "postgres.password-file", "")),
                property(context, "postgres.sslmode", ""),
                blankToNull(property(context, "postgres.sslrootcert", "")),
                Boolean.parseBoolean(property(context, "caduceus.ids.read-format-1", "true")));
    }

    private static String property(CamelContext context, String key, String defaultValue) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::strip).orElse(defaultValue);
    }

    private static List<Path> paths(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(Path::of).toList();
    }

    private static Path blankToNull(String value) {
        return value.isBlank() ? null : Path.of(value);
    }

    @Override
    public String toString() {
        return "IngestSettings[vault=" + vaultType + "]"; // never the database password
    }
}
