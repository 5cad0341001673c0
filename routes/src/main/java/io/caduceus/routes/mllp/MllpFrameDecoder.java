package io.caduceus.routes.mllp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;
import org.apache.camel.component.netty.ChannelHandlerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MLLP framing (HL7 v2 appendix C): {@code <VT> message <FS><CR>}. Emits each complete message as {@code byte[]},
 * however the bytes were split into TCP reads: several frames in one read are all delivered in order, a frame split
 * over reads waits for its end, and a frame cut off by a closed connection is never delivered (it was never
 * acknowledged, so the sender still holds it). Bytes outside frames are skipped and counted, never logged: they may
 * be patient data. A frame longer than the configured limit closes the connection rather than exhaust memory.
 *
 * <p>A factory as well as a handler, because the decoder keeps per-connection state: Camel's netty component asks
 * {@link #newChannelHandler()} for one decoder per connection.
 */
public final class MllpFrameDecoder extends ByteToMessageDecoder implements ChannelHandlerFactory {

    static final byte START_BLOCK = 0x0b;
    static final byte END_BLOCK = 0x1c;
    static final byte CARRIAGE_RETURN = 0x0d;

    private static final Logger LOG = LoggerFactory.getLogger(MllpFrameDecoder.class);

    private final int maxFrameBytes;
    private boolean sharedFactoryInstance;

    /** @param maxFrameBytes the largest message accepted, in bytes */
    public MllpFrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The instance registered as a bean: it only creates decoders, one per connection. */
    public static MllpFrameDecoder factory(int maxFrameBytes) {
        MllpFrameDecoder factory = new MllpFrameDecoder(maxFrameBytes);
        factory.sharedFactoryInstance = true;
        return factory;
    }

    @Override
    public ChannelHandler newChannelHandler() {
        return new MllpFrameDecoder(maxFrameBytes);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (sharedFactoryInstance) {
            throw new IllegalStateException("the factory instance must not decode; Camel should call newChannelHandler()");
        }
        while (in.isReadable()) {
            int start = in.indexOf(in.readerIndex(), in.writerIndex(), START_BLOCK);
            if (start < 0) {
                skipGarbage(in, in.readableBytes());
                return;
            }
            if (start > in.readerIndex()) {
                skipGarbage(in, start - in.readerIndex());
            }
            int end = in.indexOf(start + 1, in.writerIndex(), END_BLOCK);
            if (end < 0) {
                if (in.writerIndex() - start - 1 > maxFrameBytes) {
                    in.skipBytes(in.readableBytes());
                    throw new TooLongFrameException("MLLP frame longer than " + maxFrameBytes + " bytes");
                }
                return; // wait for the rest of the frame
            }
            if (end - start - 1 > maxFrameBytes) {
                in.readerIndex(end + 1);
                throw new TooLongFrameException("MLLP frame longer than " + maxFrameBytes + " bytes");
            }
            byte[] message = new byte[end - start - 1];
            in.getBytes(start + 1, message);
            // The CR after FS is part of the frame; some senders omit it, which is tolerated.
            int after = end + 1;
            if (after < in.writerIndex() && in.getByte(after) == CARRIAGE_RETURN) {
                after++;
            } else if (after >= in.writerIndex()) {
                // FS is the last byte read so far: the CR may still come; it is skipped as garbage if it does.
            }
            in.readerIndex(after);
            out.add(message);
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

    @Override
    public boolean isSharable() {
        return sharedFactoryInstance;
    }
}
