package io.caduceus.edge.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.adapters.fabric.ConsentLedger.AccessDecision;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsentChecksTest {

    private static final String PATIENT = "pp1_" + "1a".repeat(32);
    private static final String OTHER = "pp1_" + "2b".repeat(32);

    private final FakeConsentLedger ledger = new FakeConsentLedger();
    private final AtomicLong nanos = new AtomicLong();
    private final ConsentChecks checks = new ConsentChecks(() -> Optional.of(ledger),
            new ConsentSettings(ConsentMode.USER, Duration.ofSeconds(5), 2), nanos::get);

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
        ledger.now = ledger.now.plus(d);
    }

    @Test
    void grantedAndNotGrantedAreTheLedgersAnswers() {
        ledger.grantAccess(PATIENT, "app-1", Optional.empty());
        assertThat(checks.check(PATIENT, "app-1")).isEqualTo(AccessDecision.granted());
        assertThat(checks.check(PATIENT, "app-2")).isEqualTo(AccessDecision.refused("NO_GRANT"));
        assertThat(checks.check(OTHER, "app-1").allowed()).as("a grant is per patient").isFalse();
    }

    @Test
    void answersAreKeptForTheCacheTimeThenAskedAgainSoARevocationTakesEffectWithinIt() {
        ledger.grantAccess(PATIENT, "app-1", Optional.empty());
        assertThat(checks.check(PATIENT, "app-1").allowed()).isTrue();
        ledger.revokeAccess(PATIENT, "app-1"); // elsewhere: another instance, or straight on the ledger
        advance(Duration.ofSeconds(4));
        assertThat(checks.check(PATIENT, "app-1").allowed()).as("kept answer, within 5 s").isTrue();
        assertThat(ledger.checks).hasValue(1);
        advance(Duration.ofSeconds(1));
        assertThat(checks.check(PATIENT, "app-1")).isEqualTo(AccessDecision.refused("REVOKED"));
        assertThat(ledger.checks).hasValue(2);
    }

    @Test
    void refusalsAreKeptTooAndForgetDropsAnAnswerAtOnce() {
        assertThat(checks.check(PATIENT, "app-1").allowed()).isFalse();
        ledger.grantAccess(PATIENT, "app-1", Optional.empty());
        assertThat(checks.check(PATIENT, "app-1").allowed()).as("the refusal is kept").isFalse();
        checks.forget(PATIENT, "app-1");
        assertThat(checks.check(PATIENT, "app-1").allowed()).isTrue();
    }

    @Test
    void anExpiredGrantIsRefused() {
        ledger.grantAccess(PATIENT, "app-1", Optional.of(ledger.now.plusSeconds(60)));
        assertThat(checks.check(PATIENT, "app-1").allowed()).isTrue();
        advance(Duration.ofSeconds(61));
        assertThat(checks.check(PATIENT, "app-1")).isEqualTo(AccessDecision.refused("EXPIRED"));
    }

    @Test
    void aLedgerThatDoesNotAnswerIsUnavailableAndTheFailureIsNotKept() {
        ledger.grantAccess(PATIENT, "app-1", Optional.empty());
        ledger.down = FakeConsentLedger.unavailable();
        assertThatThrownBy(() -> checks.check(PATIENT, "app-1")).isInstanceOf(ConsentUnavailable.class)
                .hasMessageContaining("UNAVAILABLE").hasMessageNotContaining(PATIENT);
        ledger.down = null;
        assertThat(checks.check(PATIENT, "app-1").allowed()).isTrue();
    }

    @Test
    void noLedgerConfiguredIsUnavailable() {
        ConsentChecks none = new ConsentChecks(Optional::empty, new ConsentSettings(ConsentMode.USER, Duration.ZERO, 1));
        assertThatThrownBy(() -> none.check(PATIENT, "app-1")).isInstanceOf(ConsentUnavailable.class);
    }

    @Test
    void theCacheIsBoundedAndAZeroCacheTimeAsksEveryTime() {
        checks.check(PATIENT, "a");
        checks.check(PATIENT, "b");
        checks.check(PATIENT, "c");
        assertThat(checks.size()).isEqualTo(2);

        ConsentChecks uncached = new ConsentChecks(() -> Optional.of(ledger),
                new ConsentSettings(ConsentMode.USER, Duration.ZERO, 10), nanos::get);
        int before = ledger.checks.get();
        uncached.check(PATIENT, "a");
        uncached.check(PATIENT, "a");
        assertThat(ledger.checks.get() - before).isEqualTo(2);
    }

    @Test
    void aClientIdNoGrantCanNameIsRefusedWithoutAskingTheLedger() {
        assertThat(checks.check(PATIENT, "https://idp.example/clients/7")).isEqualTo(AccessDecision.refused("NO_GRANT"));
        assertThat(checks.check(PATIENT, null).allowed()).isFalse();
        assertThat(ledger.checks).hasValue(0);
    }
}
