package io.caduceus.edge.mllp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.camel.component.netty.ChannelHandlerFactory;

/**
 * Wraps each reply (an HL7 acknowledgement) in an MLLP frame; a {@code List} reply (a commit acknowledgement and the
 * application acknowledgement) is written as one frame per element, in order, in the same write. Stateless, so one
 * instance serves every connection.
 */
@ChannelHandler.Sharable
public final class MllpFrameEncoder extends MessageToByteEncoder<Object> implements ChannelHandlerFactory {

    @Override
    public ChannelHandler newChannelHandler() {
        return this;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object message, ByteBuf out) {
        if (message instanceof List<?> replies) {
            replies.forEach(reply -> frame(reply, out));
        } else {
            frame(message, out);
        }
    }

    private static void frame(Object message, ByteBuf out) {
        byte[] bytes = message instanceof byte[] b ? b : message.toString().getBytes(StandardCharsets.ISO_8859_1);
        out.ensureWritable(bytes.length + 3);
        out.writeByte(MllpFrameDecoder.START_BLOCK);
        out.writeBytes(bytes);
        out.writeByte(MllpFrameDecoder.END_BLOCK);
        out.writeByte(MllpFrameDecoder.CARRIAGE_RETURN);
    }
}
