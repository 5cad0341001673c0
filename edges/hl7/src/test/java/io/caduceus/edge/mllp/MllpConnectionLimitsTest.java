package io.caduceus.edge.mllp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** The connection cap and the idle timer on Netty's embedded channels, as the listener's pipeline holds them. */
class MllpConnectionLimitsTest {

    private final MllpListenerStats stats = new MllpListenerStats();

    @Test
    void aConnectionOverTheCapIsClosedAtOnceAndAFreedPlaceIsTakenAgain() {
        MllpConnectionLimit limit = new MllpConnectionLimit(2, stats);
        EmbeddedChannel first = new EmbeddedChannel(limit.newChannelHandler());
        EmbeddedChannel second = new EmbeddedChannel(limit.newChannelHandler());
        EmbeddedChannel third = new EmbeddedChannel(limit.newChannelHandler());
        assertThat(first.isOpen()).isTrue();
        assertThat(second.isOpen()).isTrue();
        assertThat(third.isOpen()).as("over the cap").isFalse();
        assertThat(stats.openConnections()).isEqualTo(2);
        assertThat(stats.refusedConnections()).isEqualTo(1);

        first.close();
        EmbeddedChannel fourth = new EmbeddedChannel(limit.newChannelHandler());
        assertThat(fourth.isOpen()).as("the place the first one left").isTrue();
        assertThat(second.isOpen()).isTrue();
        assertThat(stats.openConnections()).isEqualTo(2);
        assertThat(stats.snapshot()).containsEntry("refusedConnections", 1L).containsEntry("acceptedConnections", 3L);
    }

    @Test
    void aQuietConnectionIsClosedAfterTheTimeoutAndOneWaitingForItsAckOnlyAfterTwice() throws InterruptedException {
        MllpIdleTimeout timeout = new MllpIdleTimeout(1, stats);
        EmbeddedChannel quiet = new EmbeddedChannel(timeout.newChannelHandler());
        EmbeddedChannel waiting = new EmbeddedChannel(timeout.newChannelHandler());
        waiting.writeInbound(new byte[] {'M', 'S', 'H'}); // a message, not answered yet

        Thread.sleep(1_300);
        quiet.runScheduledPendingTasks();
        waiting.runScheduledPendingTasks();
        assertThat(quiet.isOpen()).as("quiet for longer than the timeout").isFalse();
        assertThat(waiting.isOpen()).as("its sender waits for the ACK").isTrue();
        assertThat(stats.idleClosedConnections()).isEqualTo(1);

        Thread.sleep(1_000);
        waiting.runScheduledPendingTasks();
        assertThat(waiting.isOpen()).as("no ACK for twice the timeout: closed all the same").isFalse();
        assertThat(stats.idleClosedConnections()).isEqualTo(2);
    }

    @Test
    void anAnsweredConnectionIsIdleAgainAfterTheTimeoutAndTrafficKeepsItOpen() throws InterruptedException {
        MllpIdleTimeout timeout = new MllpIdleTimeout(1, stats);
        EmbeddedChannel channel = new EmbeddedChannel(timeout.newChannelHandler());
        for (int i = 0; i < 3; i++) {
            Thread.sleep(600);
            channel.writeInbound(new byte[] {'M', 'S', 'H'});
            channel.writeOutbound(new byte[] {'A', 'C', 'K'});
            channel.runScheduledPendingTasks();
            assertThat(channel.isOpen()).as("a message and its ACK every 0.6 s, round %d", i).isTrue();
        }
        Thread.sleep(1_300);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aTimeoutOfZeroNeverCloses() throws InterruptedException {
        EmbeddedChannel channel = new EmbeddedChannel(new MllpIdleTimeout(0, stats).newChannelHandler());
        Thread.sleep(50);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.hasPendingTasks()).isFalse();
    }
}
