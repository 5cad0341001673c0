package io.caduceus.it.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.Hl7Messages;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.KafkaTopicReader;
import io.caduceus.it.MiddlewareProcess;
import io.caduceus.it.MllpClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 the middleware in the middle of a load, start it again on the same data folder, and let the senders resend
 * what was never acknowledged, as HL7 senders do: every acknowledged message must be in the vault and on Kafka with
 * one commitment, none lost and none recorded twice.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka"})
class MiddlewareCrashIT {

    private static final int SENDERS = 8;
    private static final int MESSAGES_PER_SENDER = 250;

    @TempDir
    Path work;

    @Test
    void noAcknowledgedMessageIsLostWhenTheMiddlewareIsKilled() throws Exception {
        int http = InProcessMiddleware.freePort();
        int mllp = InProcessMiddleware.freePort();
        String topic = "it.crash.ledger-entries." + System.nanoTime();
        Path data = work.resolve("data");
        Map<String, String> config = Map.of("camel.server.port", String.valueOf(http), "caduceus.mllp.port", String.valueOf(mllp),
                "caduceus.data.directory", data.toString(), "caduceus.secrets.generate-if-missing", "true",
                "caduceus.kafka.topic.ledger-entries", topic, "caduceus.kafka.topic.quarantine", topic + ".quarantine");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean middlewareUp = new AtomicBoolean(true);

        try (MiddlewareProcess middleware = MiddlewareProcess.prepare(work, config)) {
            middleware.start();
            middleware.awaitPort(mllp, Duration.ofSeconds(90));
            Thread.sleep(3_000); // let the topics be created before the load starts

            List<Thread> senders = new java.util.ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                int sender = s;
                Thread thread = new Thread(() -> send(sender, mllp, acknowledged, middlewareUp), "sender-" + s);
                thread.start();
                senders.add(thread);
            }
            // Kill once a good share is acknowledged, while messages are certainly in flight.
            while (acknowledged.size() < SENDERS * MESSAGES_PER_SENDER / 3) {
                Thread.sleep(20);
            }
            middleware.kill();
            middlewareUp.set(false);
            int acknowledgedAtKill = acknowledged.size();
            Thread.sleep(1_000);
            middleware.start();
            middleware.awaitPort(mllp, Duration.ofSeconds(90));
            middlewareUp.set(true);
            for (Thread thread : senders) {
                thread.join(Duration.ofMinutes(5).toMillis());
            }
            assertThat(acknowledgedAtKill).isLessThan(SENDERS * MESSAGES_PER_SENDER);
            assertThat(acknowledged).hasSize(SENDERS * MESSAGES_PER_SENDER);
            middleware.stop();
        }

        // Every acknowledged message: in the vault, and on Kafka with exactly one commitment.
        io.caduceus.core.domain.RecordIds recordIds = Hl7Messages.recordIds(data.resolve("secrets/pseudonym.key"));
        Set<String> expectedIds = acknowledged.stream().map(id -> Hl7Messages.recordIdOf(recordIds, id)).collect(Collectors.toSet());
        List<ConsumerRecord<String, String>> entries = KafkaTopicReader.readAll(Devnet.property("kafka.bootstrap.servers"), topic,
                Duration.ofSeconds(60), records -> records.stream().map(ConsumerRecord::key).collect(Collectors.toSet()).containsAll(expectedIds));
        Map<String, Set<String>> commitments = new HashMap<>();
        for (ConsumerRecord<String, String> entry : entries) {
            commitments.computeIfAbsent(entry.key(), k -> new java.util.HashSet<>()).add(LedgerEntry.fromJson(entry.value()).commitment().hex());
        }
        assertThat(commitments.keySet()).containsAll(expectedIds);
        assertThat(commitments.values()).allSatisfy(c -> assertThat(c).as("one commitment per record").hasSize(1));
        try (FileRecordVault vault = FileRecordVault.open(data.resolve("vault"), MasterKey.fromFile(data.resolve("secrets/master.key")))) {
            for (String id : expectedIds) {
                assertThat(vault.get(id)).as("record %s in the vault", id).isPresent();
            }
        }
    }

    /** A sender like a real HIS: one message at a time, resend until acknowledged, reconnect when the link drops. */
    private static void send(int sender, int port, Set<String> acknowledged, AtomicBoolean middlewareUp) {
        int next = 0;
        MllpClient client = null;
        while (next < MESSAGES_PER_SENDER) {
            String controlId = "CRASH-" + sender + "-" + next;
            try {
                if (client == null) {
                    client = new MllpClient("127.0.0.1", port, 15_000);
                }
                String ack = client.send(Hl7MllpIngestIT.adt(controlId, "Doe"));
                String code = MllpClient.ackCode(ack);
                if (code.equals("AA")) {
                    acknowledged.add(controlId);
                    next++;
                } else {
                    Thread.sleep(100); // AE: Caduceus could not store it yet; resend
                }
            } catch (IOException | InterruptedException e) {
                if (client != null) {
                    try {
                        client.close();
                    } catch (IOException ignored) {
                        // the connection is gone either way
                    }
                }
                client = null;
                try {
                    Thread.sleep(middlewareUp.get() ? 100 : 500);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
        if (client != null) {
            try {
                client.close();
            } catch (IOException ignored) {
                // done
            }
        }
    }

}
