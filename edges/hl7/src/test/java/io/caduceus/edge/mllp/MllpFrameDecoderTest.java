package io.caduceus.edge.mllp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MllpFrameDecoderTest {

    private static final String MSH = "MSH|^~\\&|HIS|GENERAL|CADUCEUS|HOSPITAL|20260101120000||ADT^A01|CTRL-1|P|2.5.1";
    private static final String PID = "PID|1||12345^^^HOSP^MR||Zzyzx^Canary";

    private final MllpListenerStats stats = new MllpListenerStats();

    private EmbeddedChannel channel(int maxFrameBytes) {
        return new EmbeddedChannel(MllpFrameDecoder.factory(maxFrameBytes, stats).newChannelHandler());
    }

    private static byte[] framed(String message) {
        byte[] content = message.getBytes(StandardCharsets.ISO_8859_1);
        byte[] frame = new byte[content.length + 3];
        frame[0] = MllpFrameDecoder.START_BLOCK;
        System.arraycopy(content, 0, frame, 1, content.length);
        frame[frame.length - 2] = MllpFrameDecoder.END_BLOCK;
        frame[frame.length - 1] = MllpFrameDecoder.CARRIAGE_RETURN;
        return frame;
    }

    private static void write(EmbeddedChannel channel, byte[] bytes, int from, int to) {
        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, from, to)));
    }

    private static String text(Object decoded) {
        assertThat(decoded).isInstanceOf(byte[].class);
        return new String((byte[]) decoded, StandardCharsets.ISO_8859_1);
    }

    private static String message(int bodyBytes) {
        String head = MSH + "\r" + PID + "\r";
        return head + "NTE|1||" + "x".repeat(Math.max(0, bodyBytes - head.length() - 7));
    }

    @Test
    void aFrameSplitAcrossReadsIsDeliveredOnceWhole() {
        EmbeddedChannel channel = channel(1024);
        String message = MSH + "\r" + PID + "\r";
        byte[] frame = framed(message);
        write(channel, frame, 0, 5);
        write(channel, frame, 5, 30);
        assertThat((Object) channel.readInbound()).isNull();
        write(channel, frame, 30, frame.length - 1); // up to FS: the CR comes in the next read
        assertThat(text(channel.readInbound())).isEqualTo(message);
        write(channel, frame, frame.length - 1, frame.length);
        write(channel, framed("MSH|^~\\&|next"), 0, framed("MSH|^~\\&|next").length);
        assertThat(text(channel.readInbound())).isEqualTo("MSH|^~\\&|next");
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void severalFramesInOneReadAreAllDeliveredInOrder() {
        EmbeddedChannel channel = channel(1024);
        byte[] one = framed("MSH|^~\\&|one");
        byte[] two = framed("MSH|^~\\&|two");
        byte[] both = new byte[one.length + two.length];
        System.arraycopy(one, 0, both, 0, one.length);
        System.arraycopy(two, 0, both, one.length, two.length);
        channel.writeInbound(Unpooled.wrappedBuffer(both));
        assertThat(text(channel.readInbound())).isEqualTo("MSH|^~\\&|one");
        assertThat(text(channel.readInbound())).isEqualTo("MSH|^~\\&|two");
    }

    @Test
    void aFrameExactlyAtTheLimitIsDeliveredAndOneByteMoreIsNot() {
        String atLimit = message(500);
        assertThat(atLimit).hasSize(500);
        EmbeddedChannel channel = channel(500);
        channel.writeInbound(Unpooled.wrappedBuffer(framed(atLimit)));
        assertThat(text(channel.readInbound())).isEqualTo(atLimit);

        channel.writeInbound(Unpooled.wrappedBuffer(framed(atLimit + "x")));
        MllpOversizeFrame oversize = channel.readInbound();
        assertThat(oversize.sizeBytes()).isEqualTo(501);
        assertThat(oversize.limitBytes()).isEqualTo(500);
        assertThat(stats.oversizeFrames()).isEqualTo(1);
    }

    @Test
    void anOversizeFrameIsSkippedWithoutBeingBufferedAndTheNextFrameOnTheConnectionIsDelivered() {
        int limit = 1024;
        EmbeddedChannel channel = channel(limit);
        MllpFrameDecoder decoder = (MllpFrameDecoder) channel.pipeline().first();
        String huge = message(200_000);
        byte[] frame = framed(huge);
        int chunk = 4096;
        int at = 0;
        for (; at + chunk < frame.length - 3; at += chunk) {
            write(channel, frame, at, at + chunk);
            if (at > 2 * limit) {
                assertThat(decoder.bufferedBytes()).as("bytes held after %d of %d", at + chunk, frame.length)
                        .isLessThanOrEqualTo(limit + chunk);
            }
        }
        assertThat(decoder.bufferedBytes()).as("nothing of the frame is held once it is over the limit").isZero();
        assertThat((Object) channel.readInbound()).isNull();
        write(channel, frame, at, frame.length);
        byte[] next = framed(MSH.replace("CTRL-1", "CTRL-2") + "\r" + PID + "\r");
        channel.writeInbound(Unpooled.wrappedBuffer(next));

        MllpOversizeFrame oversize = channel.readInbound();
        assertThat(oversize.sizeBytes()).isEqualTo(huge.length());
        assertThat(oversize.limitBytes()).isEqualTo(limit);
        assertThat(new String(oversize.header(), StandardCharsets.ISO_8859_1)).as("MSH only, cut before PID").isEqualTo(MSH);
        assertThat(oversize.toString()).doesNotContain("HIS").doesNotContain("Zzyzx");
        assertThat(text(channel.readInbound())).contains("CTRL-2");
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void anOversizeFrameInOneReadIsAnsweredAndTheFrameAfterItInTheSameReadIsDelivered() {
        EmbeddedChannel channel = channel(100);
        byte[] big = framed(message(300));
        byte[] small = framed("MSH|^~\\&|small");
        byte[] both = new byte[big.length + small.length];
        System.arraycopy(big, 0, both, 0, big.length);
        System.arraycopy(small, 0, both, big.length, small.length);
        channel.writeInbound(Unpooled.wrappedBuffer(both));
        assertThat((Object) channel.readInbound()).isInstanceOf(MllpOversizeFrame.class);
        assertThat(text(channel.readInbound())).isEqualTo("MSH|^~\\&|small");
    }

    @Test
    void anOversizeFrameWithoutMshStillGetsItsPlaceholderWithTheSizeAndAShortHeader() {
        EmbeddedChannel channel = channel(64);
        byte[] junk = new byte[10_000];
        Arrays.fill(junk, (byte) 'Q');
        byte[] frame = framed(new String(junk, StandardCharsets.ISO_8859_1));
        write(channel, frame, 0, 5_000);
        write(channel, frame, 5_000, frame.length);
        MllpOversizeFrame oversize = channel.readInbound();
        assertThat(oversize.sizeBytes()).isEqualTo(10_000);
        assertThat(oversize.header()).as("no segment end: kept up to the cap").hasSize(MllpFrameDecoder.HEADER_PREFIX_BYTES);
        assertThat(new String(oversize.header(), StandardCharsets.ISO_8859_1)).doesNotStartWith("MSH");
        channel.writeInbound(Unpooled.wrappedBuffer(framed("MSH|^~\\&|after")));
        assertThat(text(channel.readInbound())).isEqualTo("MSH|^~\\&|after");
    }

    @Test
    void anOversizeFrameCutOffByTheConnectionIsNeverDelivered() {
        EmbeddedChannel channel = channel(64);
        byte[] frame = framed(message(1_000));
        write(channel, frame, 0, 500);
        channel.finish();
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(stats.oversizeFrames()).isZero();
    }
}
