package io.caduceus.edge.hl7;

import io.caduceus.edge.mllp.MllpClient;
import io.caduceus.routes.AppWithoutKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * The application as shipped, with a Kafka stand-in that answers each send after the delay the test sets
 * ({@link #kafkaDelay}), and an MLLP sender to its listener: the fixture of the store deadline and breaker tests.
 */
final class SlowKafkaApp implements AutoCloseable {

    private static final MllpClient CLIENT = new MllpClient(Duration.ofSeconds(5), Duration.ofSeconds(60), 65536);

    private final Main main;
    private final int mllpPort;

    private SlowKafkaApp(Main main, int mllpPort) {
        this.main = main;
        this.mllpPort = mllpPort;
    }

    /** Starts it on free ports with Kafka answering at once, and {@code properties} besides. */
    static SlowKafkaApp start(Path dir, String... properties) throws Exception {
        kafkaDelay(0);
        int mllpPort = AppWithoutKafka.freePort();
        List<String> all = new ArrayList<>(List.of("camel.server.port=" + AppWithoutKafka.freePort(),
                "caduceus.mllp.port=" + mllpPort));
        all.addAll(List.of(properties));
        return new SlowKafkaApp(AppWithoutKafka.startWithSlowKafka(dir, all.toArray(String[]::new)), mllpPort);
    }

    /** From now on the stand-in answers each send after {@code millis} (0: at once). */
    static void kafkaDelay(long millis) {
        System.setProperty(AppWithoutKafka.KAFKA_DELAY_PROPERTY, Long.toString(millis));
    }

    /**
     * An ADT^A01 for a patient of its own. MSH-15 and MSH-16 empty: original mode; MSH-15 AL, MSH-16 NE: enhanced
     * mode, commit acknowledgement only.
     */
    static String adt(String controlId, boolean enhanced) {
        return "MSH|^~\\&|HIS|HOSPITAL|CADUCEUS|HUB|20261125101500||ADT^A01^ADT_A01|" + controlId + "|P|2.5.1|||"
                + (enhanced ? "AL|NE" : "|") + "\rEVN|A01|20261125101500\rPID|1||MRN-" + controlId
                + "^^^HOSPITAL^MR||Doe^Jane||19700101|F\rPV1|1|I|STA1^R101^B1\r";
    }

    /** Sends {@code message} and returns the acknowledgement. */
    String send(String message) throws Exception {
        return new String(CLIENT.send("127.0.0.1", mllpPort, message.getBytes(StandardCharsets.ISO_8859_1)),
                StandardCharsets.ISO_8859_1);
    }

    int mllpPort() {
        return mllpPort;
    }

    CamelContext context() {
        return main.getCamelContext();
    }

    <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType(name, type);
    }

    @Override
    public void close() {
        System.clearProperty(AppWithoutKafka.KAFKA_DELAY_PROPERTY);
        main.stop();
    }
}
