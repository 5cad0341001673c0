package io.caduceus.adapters.kafka.ledger;

import io.caduceus.adapters.kafka.KafkaClients;
import io.caduceus.ingest.ledger.LedgerWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kafka to the private ledger: the forwarder of ledger entries and the one of access events, started together over
 * writers of the same ledger connection, and stopped together before that connection closes.
 */
public final class LedgerForwarding implements AutoCloseable {

    private final LedgerForwarder entries;
    private final AccessLogForwarder accessLog;

    private LedgerForwarding(LedgerForwarder entries, AccessLogForwarder accessLog) {
        this.entries = entries;
        this.accessLog = accessLog;
    }

    public static LedgerForwarding start(ForwarderSettings settings, LedgerWriter ledger, KafkaClients kafka) {
        LedgerForwarding forwarding = new LedgerForwarding(new LedgerForwarder(settings, ledger, kafka),
                new AccessLogForwarder(settings, ledger, kafka));
        forwarding.entries.start();
        forwarding.accessLog.start();
        return forwarding;
    }

    /** The forwarder of ledger entries, whose counts and lags the metrics read. */
    public LedgerForwarder entries() {
        return entries;
    }

    /** Each forwarder's counts and lag, as {@code GET /api/ledger} shows them. */
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kafkaToFabric", entries.status());
        out.put("accessLog", accessLog.status());
        return out;
    }

    @Override
    public void close() {
        entries.close();
        accessLog.close();
    }
}
