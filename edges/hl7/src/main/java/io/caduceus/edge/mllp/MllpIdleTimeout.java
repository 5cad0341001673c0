package io.caduceus.edge.mllp;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.component.netty.ChannelHandlerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes an MLLP connection on which nothing happened for {@code caduceus.mllp.idle-timeout-seconds}: no byte
 * received, no acknowledgement sent. Senders reconnect when they have something to send, and a connection closed
 * while idle holds no message in doubt. 0 turns the timeout off.
 *
 * <p>A sender waiting for the acknowledgement of a message being processed sends nothing meanwhile, yet its
 * connection must not be closed under it: the ACK would be lost and the message resent. So while the connection's
 * last message is unanswered, the timeout is twice as long. Not longer: in enhanced mode some messages are answered
 * by silence (MSH-15 ER or NE on success), and a connection whose last message was one of those would otherwise
 * never count as idle. Twice the default (600 s) is far above the longest a message can take (Kafka's delivery
 * timeout, 30 s).
 *
 * <p>Sits after the frame decoder, so it sees whole messages coming in and acknowledgements going out; every socket
 * read reaches it as a read-complete event, so bytes of a frame still arriving count as activity too.
 *
 * <p>A handler only because Camel's decoders list takes handlers: this one is a factory, and each connection gets a
 * timer of its own from {@link #newChannelHandler()}.
 */
@ChannelHandler.Sharable
public final class MllpIdleTimeout extends ChannelInboundHandlerAdapter implements ChannelHandlerFactory {

    private static final Logger LOG = LoggerFactory.getLogger(MllpIdleTimeout.class);

    private final long idleNanos;
    private final MllpListenerStats stats;

    public MllpIdleTimeout(int idleSeconds, MllpListenerStats stats) {
        if (idleSeconds < 0) {
            throw new IllegalArgumentException("caduceus.mllp.idle-timeout-seconds must be 0 (off) or more, not " + idleSeconds);
        }
        this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
        this.stats = stats;
    }

    @Override
    public ChannelHandler newChannelHandler() {
        return idleNanos == 0 ? PassThrough.INSTANCE : new Closer(idleNanos, stats);
    }

    /** One connection's timer. Every method runs on the connection's event loop, so plain fields do. */
    static final class Closer extends ChannelDuplexHandler {

        private final long idleNanos;
        private final MllpListenerStats stats;
        private long lastActivity;
        private boolean awaitingReply;
        private ScheduledFuture<?> check;

        Closer(long idleNanos, MllpListenerStats stats) {
            this.idleNanos = idleNanos;
            this.stats = stats;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            lastActivity = System.nanoTime();
            if (ctx.channel().isActive()) {
                schedule(ctx, idleNanos);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            if (check == null) {
                lastActivity = System.nanoTime();
                schedule(ctx, idleNanos);
            }
            super.channelActive(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            cancel();
            super.channelInactive(ctx);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            cancel();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) throws Exception {
            lastActivity = System.nanoTime();
            awaitingReply = true;
            super.channelRead(ctx, message);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            lastActivity = System.nanoTime();
            super.channelReadComplete(ctx);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) throws Exception {
            lastActivity = System.nanoTime();
            awaitingReply = false;
            super.write(ctx, message, promise);
        }

        private void schedule(ChannelHandlerContext ctx, long delayNanos) {
            check = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
        }

        private void check(ChannelHandlerContext ctx) {
            if (!ctx.channel().isOpen()) {
                return;
            }
            long allowed = awaitingReply ? 2 * idleNanos : idleNanos;
            long quiet = System.nanoTime() - lastActivity;
            if (quiet < allowed) {
                // The earliest the connection can be due: an ACK may still go out and shorten the wait to one period.
                schedule(ctx, quiet < idleNanos ? idleNanos - quiet : allowed - quiet);
                return;
            }
            stats.closedIdle();
            LOG.debug("MLLP connection idle for longer than the timeout: closed");
            ctx.close();
        }

        private void cancel() {
            if (check != null) {
                check.cancel(false);
                check = null;
            }
        }
    }

    /** The timeout turned off: the decoders list still names a handler. */
    @ChannelHandler.Sharable
    private static final class PassThrough extends ChannelInboundHandlerAdapter {
        static final PassThrough INSTANCE = new PassThrough();
    }
}
