package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RefusalLogTest {

    private static final Duration INTERVAL = Duration.ofSeconds(60);

    private final Logger logger = (Logger) LoggerFactory.getLogger("io.caduceus.edge.fhir.RefusalLogTest.log");
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @BeforeEach
    void attach() {
        logger.setLevel(Level.DEBUG);
        logger.setAdditive(false);
        events.start();
        logger.addAppender(events);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(events);
    }

    private List<ILoggingEvent> at(Level level) {
        return events.list.stream().filter(e -> e.getLevel() == level).toList();
    }

    @Test
    void aFloodOfRefusalsIsOneWarnPerIntervalWithTheCountsAndADebugLineEach() {
        RefusalLog log = new RefusalLog(logger, INTERVAL, now::get, false);
        log.refused("422 invalid");
        // The first refusal after a quiet time is reported at once.
        assertThat(at(Level.WARN)).hasSize(1);
        assertThat(at(Level.WARN).get(0).getFormattedMessage()).endsWith(": 1 (422 invalid: 1)");
        for (int i = 0; i < 10_000; i++) {
            now.addAndGet(1_000_000L);
            log.refused(i % 10 == 0 ? "400 structure" : "422 invalid");
        }
        // 10 s of refusals later: still one WARN, a DEBUG line per request.
        assertThat(at(Level.WARN)).hasSize(1);
        assertThat(at(Level.DEBUG)).hasSize(10_001);
        log.flushIfDue();
        assertThat(at(Level.WARN)).hasSize(1);
        now.addAndGet(INTERVAL.toNanos());
        log.flushIfDue();
        assertThat(at(Level.WARN)).hasSize(2);
        assertThat(at(Level.WARN).get(1).getFormattedMessage()).endsWith(": 10000 (400 structure: 1000, 422 invalid: 9000)");
        // Nothing left: no further report.
        now.addAndGet(INTERVAL.toNanos());
        log.flushIfDue();
        assertThat(at(Level.WARN)).hasSize(2);
    }

    @Test
    void theTimerReportsWhatAFloodLeftWithoutAnotherRequest() throws Exception {
        RefusalLog log = new RefusalLog(logger, Duration.ofMillis(200), System::nanoTime, true);
        log.refused("503 not stored, VaultException");
        log.refused("503 not stored, VaultException");
        assertThat(at(Level.WARN)).hasSize(1);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (at(Level.WARN).size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(at(Level.WARN)).hasSize(2);
        assertThat(at(Level.WARN).get(1).getFormattedMessage()).endsWith(": 1 (503 not stored, VaultException: 1)");
    }

    /** Through the beans: bad requests, each refused with a 422, leave one WARN and no content in any log line. */
    @Test
    void refusedRequestsThroughTheBeansLogNoContent(@org.junit.jupiter.api.io.TempDir java.nio.file.Path work) throws Exception {
        Logger fhirLogs = (Logger) LoggerFactory.getLogger("io.caduceus.edge.fhir");
        ListAppender<ILoggingEvent> all = new ListAppender<>();
        all.start();
        Level before = fhirLogs.getLevel();
        fhirLogs.setLevel(Level.DEBUG);
        fhirLogs.addAppender(all);
        var key = TestTokens.rsa();
        var vault = FhirTestBeans.vault(work.resolve("vault"));
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            FhirInbound inbound = FhirTestBeans.inbound(vault, FhirTestBeans.verifier(key),
                    ProfileValidator.create(FhirContext.forR4Cached(), null));
            String token = "Bearer " + TestTokens.sign("RS256", key.getPrivate(), TestTokens.claims("system/*.write"));
            for (int i = 0; i < 20; i++) {
                Exchange exchange = new DefaultExchange(camel);
                exchange.setProperty(FhirExchange.INTERACTION, "create");
                exchange.getMessage().setHeader("type", "Patient");
                exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/fhir+json");
                exchange.getMessage().setHeader("Authorization", token);
                exchange.getMessage().setBody(FhirSamples.patient("MRN-9" + i).replace("\"female\"", "\"robot\"")
                        .getBytes(StandardCharsets.UTF_8));
                try {
                    inbound.callers().authenticate(exchange);
                    inbound.intake().check(exchange);
                    throw new AssertionError("a robot gender was accepted");
                } catch (FhirRejection rejection) {
                    exchange.setProperty(Exchange.EXCEPTION_CAUGHT, rejection);
                }
                inbound.quarantine().quarantine(exchange);
                inbound.refusals().rejected(exchange);
                assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(422);
            }
        } finally {
            fhirLogs.detachAppender(all);
            fhirLogs.setLevel(before);
            vault.close();
        }
        assertThat(all.list.stream().filter(e -> e.getLevel() == Level.WARN
                && e.getFormattedMessage().startsWith("FHIR requests refused"))).hasSize(1);
        assertThat(all.list.stream().filter(e -> e.getLevel() == Level.DEBUG
                && e.getFormattedMessage().startsWith("FHIR request refused"))).hasSize(20);
        assertThat(all.list).allSatisfy(e -> assertThat(e.getFormattedMessage())
                .doesNotContain(FhirSamples.CANARY).doesNotContain("MRN-9").doesNotContain("robot").doesNotContain("1970-01-01"));
    }
}
