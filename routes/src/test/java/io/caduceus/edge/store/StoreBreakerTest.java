package io.caduceus.edge.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.ingest.vault.RecordErasedException;
import io.caduceus.ingest.vault.VaultException;
import io.caduceus.edge.fhir.FhirRejections;
import io.caduceus.edge.hl7.Hl7Rejections;
import io.caduceus.edge.store.StoreBreaker.Permit;
import io.caduceus.edge.store.StoreBreaker.State;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.CamelExchangeException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** The store breaker's states and what counts against a dependency, on a clock the test moves. */
class StoreBreakerTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final StoreBreaker breaker = new StoreBreaker(3, Duration.ofSeconds(15), Duration.ofSeconds(2), now::get);

    private static final StoreTimeoutException TIMEOUT = new StoreTimeoutException("deadline", null);

    private void advance(long millis) {
        now.addAndGet(Duration.ofMillis(millis).toNanos());
    }

    private void fail(Throwable failure) {
        breaker.completed(breaker.acquire(), failure);
    }

    @Test
    void opensAfterThresholdDependencyFailuresInARowAndRefusesAtOnce() {
        fail(TIMEOUT);
        fail(TIMEOUT);
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.acquire()).isEqualTo(Permit.PASS);
        fail(new VaultException("connection refused", true));
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(breaker.acquire()).isEqualTo(Permit.REFUSED);
        assertThat(breaker.acquire()).isEqualTo(Permit.REFUSED);
        assertThat(breaker.refused()).isEqualTo(2);
        assertThat(breaker.opened()).isEqualTo(1);
        assertThat(breaker.snapshot()).containsEntry("state", "OPEN").containsEntry("lastFailure", "VaultException")
                .containsKey("openSince");
    }

    @Test
    void aSuccessBetweenFailuresStartsTheCountAgain() {
        fail(TIMEOUT);
        fail(TIMEOUT);
        breaker.completed(breaker.acquire(), null);
        fail(TIMEOUT);
        fail(TIMEOUT);
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        fail(TIMEOUT);
        assertThat(breaker.state()).isEqualTo(State.OPEN);
    }

    @Test
    void failuresFurtherApartThanTheWindowDoNotAddUp() {
        fail(TIMEOUT);
        fail(TIMEOUT);
        advance(15_001);
        fail(TIMEOUT);
        assertThat(breaker.state()).as("the first two are older than the window").isEqualTo(State.CLOSED);
        fail(TIMEOUT);
        fail(TIMEOUT);
        assertThat(breaker.state()).isEqualTo(State.OPEN);
    }

    @Test
    void contentRejectionsAndBugsNeverOpenIt() {
        for (int i = 0; i < 50; i++) {
            fail(Hl7Rejections.duplicateWithOtherContent());
            fail(FhirRejections.invalidContent());
            fail(new RecordErasedException("r2_x"));
            fail(new VaultException("record MAC does not match", false));
            fail(new RecordTooLargeException("too large"));
            fail(new IllegalStateException("bug"));
            fail(new NullPointerException());
        }
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.snapshot()).containsEntry("failuresInRow", 0).doesNotContainKey("lastFailure");
    }

    @Test
    void theFailurePolicyLooksThroughWrappingForDependencyFailures() {
        assertThat(StoreBreaker.isDependencyFailure(TIMEOUT)).isTrue();
        assertThat(StoreBreaker.isDependencyFailure(new TimeoutException("Expiring 3 record(s)"))).isTrue();
        assertThat(StoreBreaker.isDependencyFailure(new CamelExchangeException("send failed", null,
                new NotLeaderOrFollowerException("no leader")))).isTrue();
        assertThat(StoreBreaker.isDependencyFailure(new VaultException("pool exhausted", true))).isTrue();
        assertThat(StoreBreaker.isDependencyFailure(new RuntimeException(new VaultException("corrupt", false)))).isFalse();
        assertThat(StoreBreaker.isDependencyFailure(new RecordTooLargeException("too large"))).isFalse();
        assertThat(StoreBreaker.isDependencyFailure(new IllegalArgumentException("content"))).isFalse();
    }

    @Test
    void afterTheOpenTimeOneTrialGoesThroughAndItsSuccessCloses() {
        open();
        advance(1_999);
        assertThat(breaker.acquire()).isEqualTo(Permit.REFUSED);
        advance(1);
        Permit trial = breaker.acquire();
        assertThat(trial).isEqualTo(Permit.TRIAL);
        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
        assertThat(breaker.acquire()).as("only one trial at a time").isEqualTo(Permit.REFUSED);
        breaker.completed(trial, null);
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.acquire()).isEqualTo(Permit.PASS);
        assertThat(breaker.snapshot()).containsEntry("failuresInRow", 0).doesNotContainKey("openSince");
    }

    @Test
    void aFailedTrialOpensItForAnotherOpenTime() {
        open();
        advance(2_000);
        Permit trial = breaker.acquire();
        advance(10_000); // the trial waited the whole store deadline
        breaker.completed(trial, TIMEOUT);
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        advance(1_999);
        assertThat(breaker.acquire()).as("open time counted from the failed trial").isEqualTo(Permit.REFUSED);
        advance(1);
        assertThat(breaker.acquire()).isEqualTo(Permit.TRIAL);
        assertThat(breaker.opened()).as("still the same outage").isEqualTo(1);
    }

    @Test
    void aTrialRefusedForItsContentHandsTheTrialToTheNextMessage() {
        open();
        advance(2_000);
        Permit trial = breaker.acquire();
        breaker.completed(trial, Hl7Rejections.duplicateWithOtherContent());
        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
        Permit next = breaker.acquire();
        assertThat(next).isEqualTo(Permit.TRIAL);
        breaker.completed(next, null);
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void aMessageLetInBeforeItOpenedClosesItWhenItIsStored() {
        Permit early = breaker.acquire();
        open();
        breaker.completed(early, null);
        assertThat(breaker.state()).as("the path works after all").isEqualTo(State.CLOSED);
    }

    @Test
    void aMessageLetInBeforeItOpenedThatFailsDoesNotProlongIt() {
        Permit early = breaker.acquire();
        open();
        advance(1_500);
        breaker.completed(early, TIMEOUT);
        advance(500);
        assertThat(breaker.acquire()).isEqualTo(Permit.TRIAL);
    }

    @Test
    void thresholdZeroTurnsItOff() {
        StoreBreaker off = new StoreBreaker(0, Duration.ofSeconds(15), Duration.ofSeconds(2), now::get);
        for (int i = 0; i < 100; i++) {
            off.completed(off.acquire(), TIMEOUT);
        }
        assertThat(off.state()).isEqualTo(State.CLOSED);
        assertThat(off.acquire()).isEqualTo(Permit.PASS);
        assertThat(off.snapshot()).containsEntry("enabled", false);
    }

    private void open() {
        fail(TIMEOUT);
        fail(TIMEOUT);
        fail(TIMEOUT);
        assertThat(breaker.state()).isEqualTo(State.OPEN);
    }
}
