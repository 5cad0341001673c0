package io.caduceus.edge.hl7;

import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.edge.services.IngestServices;
import io.caduceus.hl7.mapping.Hl7ToFhirMapper;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;

/**
 * The ingest services as the middleware builds them, over a file vault in a folder of the test's own, with a fresh
 * random deployment secret and master key, and a Camel context to make exchanges in: what a test of the HL7 intake,
 * store and quarantine steps runs them against. Open it before each test and close it after.
 */
final class FileVaultIngest implements AutoCloseable {

    private final DefaultCamelContext camel = new DefaultCamelContext();
    private final IngestServices services;

    private FileVaultIngest(IngestServices services) {
        this.services = services;
    }

    static FileVaultIngest open(Path vaultDirectory) {
        return new FileVaultIngest(new IngestServices(FileRecordVault.open(vaultDirectory, MasterKey.of(random32())),
                Hl7ToFhirMapper.builder(), random32(), false));
    }

    IngestServices services() {
        return services;
    }

    Exchange exchange() {
        return new DefaultExchange(camel);
    }

    @Override
    public void close() throws Exception {
        services.close();
        camel.close();
    }

    private static byte[] random32() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
