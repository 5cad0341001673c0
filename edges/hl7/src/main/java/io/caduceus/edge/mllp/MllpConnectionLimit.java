package io.caduceus.edge.mllp;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.component.netty.ChannelHandlerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code caduceus.mllp.max-connections} MLLP connections at once. One more is closed as soon as it is
 * accepted, before a byte of it is read, so that a sender never has a message in doubt: it sees a connection that
 * closed before it could send (or a reset on its first write), which every MLLP sender already handles by
 * reconnecting later and sending the same message again. Answering its first message with an AE or CE instead would
 * need the message read (the very resources the cap protects) and relies on the sender resending after an AE, which
 * not every engine does: some park AE-answered messages in an error queue. Connections already open are untouched.
 *
 * <p>One instance for all connections (it holds the count): {@link #newChannelHandler()} returns itself.
 */
@ChannelHandler.Sharable
public final class MllpConnectionLimit extends ChannelInboundHandlerAdapter implements ChannelHandlerFactory {

    private static final Logger LOG = LoggerFactory.getLogger(MllpConnectionLimit.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final int maxConnections;
    private final MllpListenerStats stats;
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    public MllpConnectionLimit(int maxConnections, MllpListenerStats stats) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("caduceus.mllp.max-connections must be at least 1, not " + maxConnections);
        }
        this.maxConnections = maxConnections;
        this.stats = stats;
    }

    @Override
    public ChannelHandler newChannelHandler() {
        return this;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (!stats.tryOpen(maxConnections)) {
            logRefusal();
            // Neither Camel nor the decoder ever hear of it: nothing was read, nothing is owed.
            ctx.close();
            return;
        }
        ctx.channel().closeFuture().addListener(closed -> stats.closed());
        super.channelActive(ctx);
    }

    /** A flood of connections must not become a flood of log lines: one line per ten seconds, with the total. */
    private void logRefusal() {
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastLogged.compareAndSet(last, now)) {
            LOG.warn("MLLP connection refused: {} connections open, the limit (caduceus.mllp.max-connections); {} refused"
                    + " since start", maxConnections, stats.refusedConnections());
        }
    }
}
