package io.caduceus.edge.fhir;

import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.core.json.CanonicalJson;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bean behind camel/fhir-poll.camel.yaml: ingests what changed on a legacy FHIR server since the last poll. A poll
 * goes {@link #begin}, then per page {@link #fetchPage} (search, validate, vault), the route's Kafka steps, and
 * {@link #pageDelivered} (checkpoint); a failure goes {@link #pollFailed}.
 *
 * <p>Each resource takes the path of a PUT of it to Caduceus by client {@code caduceus.fhir.poll.client-id}
 * ({@link FhirRecordStore#storeTrusted}): same validation, quarantine, record and ledger entry. Record ids come from the
 * content, so a version polled again (a replay after a crash) is the record already stored and an identical entry.
 *
 * <p>The checkpoint of a type moves only once a page's records are in the vault and Kafka acknowledged their entries:
 * a crash between the two replays the page rather than skipping it. Pages are read in {@code _lastUpdated} order, which
 * the checkpoint relies on; a server that does not keep to it is refused.
 */
public final class FhirChangePoller {

    private static final Logger LOG = LoggerFactory.getLogger(FhirChangePoller.class);

    static final String PASS = "fhirPollPass";
    static final String MORE = "fhirPollMore";
    static final String LEDGER_ENTRIES = "fhirPollLedgerEntries";
    static final String QUARANTINE_NOTICES = "fhirPollQuarantineNotices";

    /** A Kafka record for the route to send: the key and the JSON value. */
    public record Publication(String key, String value) {
    }

    /** Where one poll is: types still to search, and the page in progress. */
    private static final class Pass {
        final Deque<String> typesLeft;
        final Set<URI> pagesRead = new HashSet<>();
        String type;
        URI next;
        Instant latestSeen;
        FhirPollCheckpoints.Checkpoint checkpoint;
        FhirPollCheckpoints.Checkpoint pending;
        int ingested;
        int quarantined;

        Pass(List<String> types) {
            typesLeft = new ArrayDeque<>(types);
        }
    }

    private final FhirPollSettings settings;
    private final LegacyFhirClient client;
    private final FhirPollCheckpoints checkpoints;
    private final FhirRecordStore store;
    private final RecordVault vault;

    FhirChangePoller(FhirPollSettings settings, LegacyFhirClient client, FhirPollCheckpoints checkpoints,
            FhirRecordStore store, RecordVault vault) {
        this.settings = settings;
        this.client = client;
        this.checkpoints = checkpoints;
        this.store = store;
        this.vault = vault;
    }

    /**
     * The bean bound when polling is disabled: Camel resolves the route's bean even though the route does not start.
     * Started by hand anyway, it refuses.
     */
    static FhirChangePoller disabled(FhirPollSettings settings) {
        return new FhirChangePoller(settings, null, null, null, null);
    }

    /** Starts a poll of every configured type. */
    public void begin(Exchange exchange) {
        if (client == null) {
            throw new IllegalStateException("FHIR polling is disabled (caduceus.fhir.poll.enabled)");
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(null);
        exchange.setProperty(PASS, new Pass(settings.resourceTypes()));
        exchange.setProperty(MORE, true);
    }

    /**
     * Reads the next page (the first of the next type when the last one is done) and ingests its matches; leaves their
     * ledger entries and quarantine notices in {@link #LEDGER_ENTRIES} and {@link #QUARANTINE_NOTICES} for Kafka.
     *
     * @throws LegacyFhirException the server could not be read: this type waits for the next poll
     */
    public void fetchPage(Exchange exchange) throws LegacyFhirException {
        Pass pass = exchange.getProperty(PASS, Pass.class);
        URI pageUri;
        if (pass.next == null) {
            pass.type = pass.typesLeft.poll();
            pass.checkpoint = checkpoints.get(pass.type);
            // Not the checkpoint: a server may match "ge" loosely (by its own precision), which is harmless; only an
            // older change after a newer one within a search says the order cannot be trusted.
            pass.latestSeen = null;
            pass.pagesRead.clear();
            pageUri = client.searchUri(pass.type, pass.checkpoint.since());
        } else {
            pageUri = pass.next;
        }
        FhirSearchPage page = client.fetch(pageUri);
        pass.pagesRead.add(pageUri);
        pass.next = null;
        if (page.next() != null) {
            URI next = client.resolveNext(pageUri, page.next());
            if (!pass.pagesRead.add(next)) {
                throw new LegacyFhirException("the next links of " + pass.type + " go round in a circle");
            }
            pass.next = next;
        }

        List<Publication> entries = new ArrayList<>();
        List<Publication> notices = new ArrayList<>();
        for (FhirSearchPage.Match match : page.matches()) {
            requireOrder(pass, match);
            if (pass.checkpoint.covers(match)) {
                continue;
            }
            ingest(pass.type, match, entries, notices);
        }
        pass.pending = pass.checkpoint.after(page.matches());
        pass.ingested += entries.size();
        pass.quarantined += notices.size();
        exchange.setProperty(LEDGER_ENTRIES, entries);
        exchange.setProperty(QUARANTINE_NOTICES, notices);
    }

    /** The page's records are durable and Kafka acknowledged them: the type's checkpoint moves past the page. */
    public void pageDelivered(Exchange exchange) {
        Pass pass = exchange.getProperty(PASS, Pass.class);
        if (!pass.pending.equals(pass.checkpoint)) {
            checkpoints.save(pass.type, pass.pending);
        }
        pass.checkpoint = pass.pending;
        if (pass.next == null) {
            if (pass.ingested + pass.quarantined > 0) {
                LOG.info("FHIR poll of {}: {} records ingested, {} resources quarantined", pass.type, pass.ingested, pass.quarantined);
            }
            pass.ingested = 0;
            pass.quarantined = 0;
        }
        finishStep(exchange, pass);
    }

    /**
     * A page could not be made durable. A legacy server failure skips its type until the next poll; a vault or Kafka
     * failure ends the poll, since the other types would meet it too. Either way the checkpoints stay where they were.
     */
    public void pollFailed(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Pass pass = exchange.getProperty(PASS, Pass.class);
        String type = pass == null ? "?" : pass.type;
        if (caught instanceof LegacyFhirException legacy) {
            LOG.warn("FHIR poll of {} from the legacy server failed, retried next poll: {}", type, legacy.getMessage());
        } else {
            LOG.warn("FHIR poll of {} not stored, retried next poll: {}", type, rootCause(caught));
            if (pass != null) {
                pass.typesLeft.clear();
            }
        }
        if (pass != null) {
            pass.next = null;
            pass.ingested = 0;
            pass.quarantined = 0;
            finishStep(exchange, pass);
        } else {
            exchange.setProperty(MORE, false);
        }
    }

    /** The split step wraps a Kafka failure in Camel's own exception; the cause is what an operator needs. */
    private static String rootCause(Throwable caught) {
        if (caught == null) {
            return "unknown failure";
        }
        Throwable root = caught;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }

    private static void finishStep(Exchange exchange, Pass pass) {
        exchange.removeProperty(LEDGER_ENTRIES);
        exchange.removeProperty(QUARANTINE_NOTICES);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(null);
        exchange.setProperty(MORE, pass.next != null || !pass.typesLeft.isEmpty());
    }

    /**
     * The checkpoint is only safe if pages come oldest first: an older change after a newer one means the server
     * ignored {@code _sort}, and moving the checkpoint on would skip content.
     */
    private static void requireOrder(Pass pass, FhirSearchPage.Match match) throws LegacyFhirException {
        Instant at = match.lastUpdatedInstant();
        if (at == null) {
            return;
        }
        if (pass.latestSeen != null && at.isBefore(pass.latestSeen)) {
            throw new LegacyFhirException("the server does not return " + pass.type + " in _lastUpdated order (is _sort "
                    + "supported?); its checkpoint is not moved");
        }
        pass.latestSeen = at;
    }

    private void ingest(String type, FhirSearchPage.Match match, List<Publication> entries, List<Publication> notices) {
        byte[] json = match.json().getBytes(StandardCharsets.UTF_8);
        FhirExchange.Request request = new FhirExchange.Request("update", type, match.id(), null, FhirFormat.JSON.mediaType(),
                null, null, null, Instant.now(), new BearerTokenVerifier.Caller(settings.clientId(), Set.of()));
        try {
            FhirExchange.Result stored = store.storeTrusted(request, json);
            entries.add(new Publication(stored.recordId().value(), stored.entry().toJson()));
        } catch (FhirRejection rejection) {
            if (!rejection.quarantine()) {
                // Refused as a write to Caduceus would be (content stored before and erased): not kept, on purpose.
                LOG.warn("FHIR poll: a {} was refused and not kept: {}", type, rejection.getMessage());
                return;
            }
            Map<String, Object> notice = FhirQuarantine.keep(vault, request, rejection, json);
            notices.add(new Publication(String.valueOf(notice.get("quarantineId")), CanonicalJson.write(notice)));
            LOG.warn("FHIR poll: a {} was quarantined as {}: HTTP {}", type, notice.get("quarantineId"), rejection.status());
        }
    }
}
