package io.caduceus.edge.health;

import io.caduceus.ingest.vault.RecordVault;
import java.util.Map;
import java.util.Optional;

/**
 * Ready when the record vault could store a record now: the file vault's directory is writable with enough free
 * space and its writer has not stopped; PostgreSQL answers a {@code SELECT 1}. Without it, a database outage left
 * readiness UP while every message was refused.
 */
final class VaultHealthCheck extends BoundedHealthCheck {

    private final RecordVault vault;
    private final String type;
    private Long minFreeBytes;

    VaultHealthCheck(RecordVault vault, String type) {
        super("vault");
        this.vault = vault;
        this.type = type;
    }

    /** For callers without a Camel context. */
    VaultHealthCheck(RecordVault vault, String type, long minFreeBytes) {
        this(vault, type);
        this.minFreeBytes = minFreeBytes;
    }

    @Override
    protected Finding probe() {
        if (minFreeBytes == null) {
            minFreeBytes = Long.parseLong(getCamelContext().resolvePropertyPlaceholders("{{caduceus.health.vault.min-free-bytes}}"));
        }
        Optional<String> unavailable = vault.unavailability(minFreeBytes);
        Map<String, Object> details = details("type", type);
        return unavailable.map(why -> Finding.down(why, details)).orElseGet(() -> Finding.up(details));
    }
}
