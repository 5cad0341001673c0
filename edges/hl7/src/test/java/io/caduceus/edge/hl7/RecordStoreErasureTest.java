package io.caduceus.edge.hl7;

import io.caduceus.edge.services.IngestServices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.ingest.vault.RecordErasedException;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.hl7.mapping.Hl7ToFhirMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A patient erased on request comes back: their next message is stored again; the erased one stays refused. */
class RecordStoreErasureTest {

    private static final String MRN = "MRN-ZZRETURNING-1";

    @TempDir
    Path dir;

    private final DefaultCamelContext camel = new DefaultCamelContext();
    private IngestServices services;

    @BeforeEach
    void open() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        byte[] master = new byte[32];
        new SecureRandom().nextBytes(master);
        services = new IngestServices(FileRecordVault.open(dir, MasterKey.of(master)), Hl7ToFhirMapper.builder(), secret, false);
    }

    @AfterEach
    void close() throws Exception {
        services.close();
        camel.close();
    }

    @Test
    void aReturningPatientIsStoredAgainUnderTheSamePseudonymAndTheErasedMessageStaysRefused() throws Exception {
        Exchange first = ingest(adt("CTRL-1", "Forgetmenot"));
        LedgerEntry firstEntry = LedgerEntry.fromJson(first.getMessage().getBody(String.class));
        String pseudonym = firstEntry.patientPseudonym().orElseThrow().value();
        String firstId = firstEntry.recordId().value();

        assertThat(services.vault().erasePatient(pseudonym)).isTrue();
        assertThatThrownBy(() -> services.vault().get(firstId)).isInstanceOf(RecordErasedException.class);

        Exchange returning = ingest(adt("CTRL-2", "Forgetmenot"));
        LedgerEntry returningEntry = LedgerEntry.fromJson(returning.getMessage().getBody(String.class));
        assertThat(returningEntry.patientPseudonym().orElseThrow().value()).isEqualTo(pseudonym);
        assertThat(services.vault().get(returningEntry.recordId().value())).isPresent();
        assertThat(services.vault().recordsOfPatient(pseudonym)).containsExactly(returningEntry.recordId().value());
        assertThatThrownBy(() -> services.vault().get(firstId)).isInstanceOf(RecordErasedException.class);
    }

    @Test
    void aRetransmissionOfAnErasedMessageIsRefusedAndNotKept() throws Exception {
        String message = adt("CTRL-1", "Forgetmenot");
        LedgerEntry entry = LedgerEntry.fromJson(ingest(message).getMessage().getBody(String.class));
        services.vault().erasePatient(entry.patientPseudonym().orElseThrow().value());

        assertThatThrownBy(() -> ingest(message)).isInstanceOfSatisfying(Hl7RejectedException.class, e -> {
            assertThat(e.error().code()).isEqualTo(Hl7Error.APPLICATION_RECORD_LOCKED);
            assertThat(e.keepContent()).isFalse();
            assertThat(e.getMessage()).doesNotContain(MRN).doesNotContain("Forgetmenot");
        });
    }

    @Test
    void aRejectedMappedMessageIsQuarantinedUnderItsPatientsKeyAndErasedWithThem() throws Exception {
        LedgerEntry entry = LedgerEntry.fromJson(ingest(adt("CTRL-1", "Forgetmenot")).getMessage().getBody(String.class));
        // The same MSH-10 with other content: mapped (so its patient is known), then rejected with 205.
        Exchange reused = new DefaultExchange(camel);
        reused.getMessage().setBody(adt("CTRL-1", "Otherwise").getBytes(StandardCharsets.ISO_8859_1));
        new Hl7Intake(services).accept(reused);
        assertThatThrownBy(() -> new RecordStore(services).store(reused)).isInstanceOf(Hl7RejectedException.class)
                .satisfies(e -> reused.setProperty(Exchange.EXCEPTION_CAUGHT, e));
        new Hl7Quarantine(services).quarantine(reused);
        String quarantineId = reused.getProperty(IngestExchange.QUARANTINE_ID, String.class);
        assertThat(services.vault().getQuarantined(quarantineId)).map(QuarantinedMessage::originalMessageId).hasValue("HIS^GENERAL^CTRL-1");
        // An unmappable message has no patient the mappings vouch for: kept under a key of its own.
        QuarantinedMessage unattributed = services.vault().quarantine("x", "unparseable", new byte[] {1}, java.time.Instant.now());

        services.vault().erasePatient(entry.patientPseudonym().orElseThrow().value());
        assertThat(services.vault().getQuarantined(quarantineId)).isEmpty();
        assertThat(services.vault().listQuarantined()).extracting(QuarantinedMessage::quarantineId)
                .containsExactly(unattributed.quarantineId());
    }

    private Exchange ingest(String message) throws Hl7RejectedException {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(message.getBytes(StandardCharsets.ISO_8859_1));
        new Hl7Intake(services).accept(exchange);
        new RecordStore(services).store(exchange);
        return exchange;
    }

    private static String adt(String controlId, String surname) {
        return "MSH|^~\\&|HIS|GENERAL|CADUCEUS|HUB|20261125101500||ADT^A04^ADT_A01|" + controlId + "|P|2.5.1\r"
                + "EVN|A04|20261125101500\r"
                + "PID|1||" + MRN + "^^^GENERAL^MR||" + surname + "^Jane^^^^^L||19700101|F\r"
                + "PV1|1|O|CLINIC^^^GENERAL\r";
    }
}
