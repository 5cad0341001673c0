package io.caduceus.edge.hl7;

import io.caduceus.edge.services.IngestServices;
import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.core.json.CanonicalJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * Operators' view of the quarantine ({@code GET /api/quarantine}) and reprocessing of one message once its cause is
 * fixed, e.g. a mapping added ({@code POST /api/quarantine/{id}/reprocess}). A reprocessed message goes through the
 * same ingest route with its original bytes, so it keeps its original record id; accepted, it leaves the quarantine.
 * Listings show ids, reasons and sizes only: the content stays encrypted in the vault.
 */
public final class QuarantineAdmin {

    static final String REPROCESSING = "caduceus.reprocessing";

    private final IngestServices services;

    public QuarantineAdmin(IngestServices services) {
        this.services = services;
    }

    public String list() {
        List<Object> items = new ArrayList<>();
        for (QuarantinedMessage m : services.vault().listQuarantined()) {
            items.add(describe(m));
        }
        return CanonicalJson.write(Map.of("quarantined", items));
    }

    public void reprocess(Exchange exchange) {
        String id = exchange.getMessage().getHeader("id", String.class);
        Optional<QuarantinedMessage> kept = services.vault().getQuarantined(id);
        if (kept.isEmpty()) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
            exchange.getMessage().setBody(CanonicalJson.write(Map.of("error", "no quarantined message with that id")));
            return;
        }
        if (kept.get().originalBytes().length == 0) {
            // A notice of a message that was never kept (over the MLLP size limit): only its sender can send it again.
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 409);
            exchange.getMessage().setBody(CanonicalJson.write(Map.of("error",
                    "this entry has no content to reprocess (see its reason); the sender must send the message again")));
            return;
        }
        ProducerTemplate producer = exchange.getContext().createProducerTemplate();
        Exchange result = producer.send("direct:hl7-ingest", e -> {
            e.getMessage().setBody(kept.get().originalBytes());
            e.setProperty(IngestExchange.RECEIVED_AT, kept.get().receivedAt());
            e.setProperty(REPROCESSING, id);
        });
        byte[] ack = result.getMessage().getBody(byte[].class);
        String code = ack == null ? "none" : ackCode(new String(ack, java.nio.charset.StandardCharsets.ISO_8859_1));
        boolean accepted = code.equals("AA") || code.equals("CA");
        if (accepted) {
            services.vault().releaseQuarantined(id);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("quarantineId", id);
        answer.put("acknowledgement", code);
        answer.put("released", accepted);
        Object recordId = result.getProperty(IngestExchange.RECORD_ID);
        if (recordId != null) {
            answer.put("recordId", recordId.toString());
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, accepted ? 200 : 422);
        exchange.getMessage().setBody(CanonicalJson.write(answer));
    }

    private static Map<String, Object> describe(QuarantinedMessage m) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("quarantineId", m.quarantineId());
        item.put("originalMessageId", m.originalMessageId());
        item.put("reason", m.reason());
        item.put("receivedAt", m.receivedAt().toString());
        item.put("quarantinedAt", m.quarantinedAt().toString());
        item.put("sizeBytes", m.originalBytes().length);
        return item;
    }

    static String ackCode(String ack) {
        int msa = ack.indexOf("MSA");
        return msa < 0 || msa + 6 > ack.length() ? "none" : ack.substring(msa + 4, msa + 6);
    }
}
