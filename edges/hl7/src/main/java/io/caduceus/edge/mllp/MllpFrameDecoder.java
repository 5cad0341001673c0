package io.caduceus.edge.mllp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.apache.camel.component.netty.ChannelHandlerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MLLP framing (HL7 v2 appendix C): {@code <VT> message <FS><CR>}. Emits each complete message as {@code byte[]},
 * however the bytes were split into TCP reads: several frames in one read are all delivered in order, a frame split
 * over reads waits for its end, and a frame cut off by a closed connection is never delivered (it was never
 * acknowledged, so the sender still holds it). Bytes outside frames are skipped and counted, never logged: they may
 * be patient data.
 *
 * <p>A frame longer than the configured limit is read to its end without being kept: once the limit is passed, the
 * decoder keeps only the start of the message's first segment (enough to read MSH for the acknowledgement), drops
 * every further byte as it arrives and, at the frame's end, emits an {@link MllpOversizeFrame} in its place. The
 * ingest route answers that with AR, so the sender learns the message will never be taken as it is instead of
 * resending it forever, and the connection goes on with the next frame. Closing the connection instead (what this
 * decoder did before) looks to a sender exactly like a network fault, which it answers by resending.
 *
 * <p>A factory as well as a handler, because the decoder keeps per-connection state: Camel's netty component asks
 * {@link #newChannelHandler()} for one decoder per connection.
 */
public final class MllpFrameDecoder extends ByteToMessageDecoder implements ChannelHandlerFactory {

    static final byte START_BLOCK = 0x0b;
    static final byte END_BLOCK = 0x1c;
    static final byte CARRIAGE_RETURN = 0x0d;
    static final byte LINE_FEED = 0x0a;

    /** At most this much of an oversize frame is kept: MSH, cut at its end. A longer MSH is read as far as it goes. */
    static final int HEADER_PREFIX_BYTES = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(MllpFrameDecoder.class);

    private final int maxFrameBytes;
    private final MllpListenerStats stats;
    private boolean sharedFactoryInstance;

    /**
     * Bytes after the start block of the frame being read that are known not to hold its end: a frame arriving in
     * many reads is searched once, not from its start on every read.
     */
    private int searched;
    /** Non-null while an oversize frame is being skipped: its kept start. */
    private byte[] oversizeHeader;
    private long oversizeBytes;

    /**
     * @param maxFrameBytes the largest message accepted, in bytes
     * @param stats where oversize frames are counted
     */
    public MllpFrameDecoder(int maxFrameBytes, MllpListenerStats stats) {
        if (maxFrameBytes < 1) {
            throw new IllegalArgumentException("caduceus.mllp.max-message-bytes must be at least 1, not " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
        this.stats = stats;
    }

    /** The instance registered as a bean: it only creates decoders, one per connection. */
    public static MllpFrameDecoder factory(int maxFrameBytes, MllpListenerStats stats) {
        MllpFrameDecoder factory = new MllpFrameDecoder(maxFrameBytes, stats);
        factory.sharedFactoryInstance = true;
        return factory;
    }

    @Override
    public ChannelHandler newChannelHandler() {
        return new MllpFrameDecoder(maxFrameBytes, stats);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (sharedFactoryInstance) {
            throw new IllegalStateException("the factory instance must not decode; Camel should call newChannelHandler()");
        }
        while (in.isReadable()) {
            if (oversizeHeader != null) {
                if (!skipOversize(in, out)) {
                    return;
                }
                continue;
            }
            int start = in.indexOf(in.readerIndex(), in.writerIndex(), START_BLOCK);
            if (start < 0) {
                skipGarbage(in, in.readableBytes());
                return;
            }
            if (start > in.readerIndex()) {
                skipGarbage(in, start - in.readerIndex());
                searched = 0;
            }
            int end = in.indexOf(start + 1 + searched, in.writerIndex(), END_BLOCK);
            if (end < 0) {
                int length = in.writerIndex() - start - 1;
                if (length > maxFrameBytes) {
                    // From here on nothing of this frame is kept but its header: the rest is dropped as it arrives.
                    oversizeHeader = header(in, start + 1, length);
                    oversizeBytes = length;
                    searched = 0;
                    in.readerIndex(in.writerIndex());
                    return;
                }
                searched = length;
                return; // wait for the rest of the frame
            }
            searched = 0;
            int length = end - start - 1;
            if (length > maxFrameBytes) {
                // The whole frame came in fewer reads than it took to pass the limit: answered all the same.
                byte[] header = header(in, start + 1, length);
                in.readerIndex(end + 1);
                skipTrailingCarriageReturn(in);
                out.add(oversize(header, length));
                continue;
            }
            byte[] message = new byte[length];
            in.getBytes(start + 1, message);
            in.readerIndex(end + 1);
            // The CR after FS is part of the frame; some senders omit it, which is tolerated. If FS was the last byte
            // read so far, a CR that comes next is skipped as a lone CR between frames.
            skipTrailingCarriageReturn(in);
            out.add(message);
        }
    }

    /** Drops the oversize frame's bytes up to its end; true once the end was found and the frame emitted. */
    private boolean skipOversize(ByteBuf in, List<Object> out) {
        int end = in.indexOf(in.readerIndex(), in.writerIndex(), END_BLOCK);
        if (end < 0) {
            oversizeBytes += in.readableBytes();
            in.skipBytes(in.readableBytes());
            return false;
        }
        oversizeBytes += end - in.readerIndex();
        in.readerIndex(end + 1);
        skipTrailingCarriageReturn(in);
        out.add(oversize(oversizeHeader, oversizeBytes));
        oversizeHeader = null;
        oversizeBytes = 0;
        return true;
    }

    private MllpOversizeFrame oversize(byte[] header, long length) {
        if (stats != null) {
            stats.oversizeFrame();
        }
        // Sizes only: the header holds the sender's ids, and the frame's remainder was patient data.
        LOG.warn("MLLP frame of {} bytes is over the limit of {} bytes: answered AR, content not kept", length, maxFrameBytes);
        return new MllpOversizeFrame(header, length, maxFrameBytes);
    }

    /** The first segment of the frame starting at {@code from}, at most {@link #HEADER_PREFIX_BYTES} of it. */
    private static byte[] header(ByteBuf in, int from, int available) {
        int limit = Math.min(available, HEADER_PREFIX_BYTES);
        int length = 0;
        while (length < limit) {
            byte b = in.getByte(from + length);
            if (b == CARRIAGE_RETURN || b == LINE_FEED) {
                break;
            }
            length++;
        }
        byte[] header = new byte[length];
        in.getBytes(from, header);
        return header;
    }

    private static void skipTrailingCarriageReturn(ByteBuf in) {
        if (in.isReadable() && in.getByte(in.readerIndex()) == CARRIAGE_RETURN) {
            in.skipBytes(1);
        }
    }

    private static void skipGarbage(ByteBuf in, int count) {
        // A lone CR after a frame whose FS ended the previous read is not garbage worth mentioning.
        boolean onlyCarriageReturn = count == 1 && in.getByte(in.readerIndex()) == CARRIAGE_RETURN;
        in.skipBytes(count);
        if (!onlyCarriageReturn) {
            LOG.warn("skipped {} bytes outside MLLP frames", count);
        }
    }

    /** Bytes held for the frame being read, for tests of the promise that an oversize frame is not buffered. */
    int bufferedBytes() {
        return internalBuffer().readableBytes();
    }

    @Override
    public boolean isSharable() {
        return sharedFactoryInstance;
    }
}
