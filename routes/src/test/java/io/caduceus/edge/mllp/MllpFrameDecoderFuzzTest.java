package io.caduceus.edge.mllp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.slf4j.LoggerFactory;

/**
 * Coverage-guided fuzzing of the MLLP framing, the first code to touch a sender's bytes. The bytes are fed in reads
 * of fuzzer-chosen sizes under a small frame limit (so the oversize path is reached), and what comes out is compared
 * with a straightforward reading of the whole stream at once: the same messages and oversize notices in the same
 * order, however the stream was split. After every read the decoder must hold no more than one frame's worth of
 * bytes. Inputs: bytes to send, then (read from the end, as Jazzer's data provider does) the limit and the split.
 */
class MllpFrameDecoderFuzzTest {

    static {
        // The decoder warns about every oversize frame and every skipped byte run; at thousands of inputs a second
        // that logging, not the decoder, would be what gets measured.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(MllpFrameDecoder.class)).setLevel(Level.ERROR);
    }

    @FuzzTest
    void framesAsIfReadAtOnceAndNeverBuffersMoreThanTheLimit(FuzzedDataProvider data) {
        int maxFrameBytes = data.consumeInt(1, 64);
        long splitSeed = data.consumeLong();
        byte[] stream = data.consumeRemainingAsBytes();

        MllpFrameDecoder decoder = (MllpFrameDecoder) MllpFrameDecoder.factory(maxFrameBytes, null).newChannelHandler();
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        List<Object> emitted = new ArrayList<>();
        Random split = new Random(splitSeed);
        for (int offset = 0; offset < stream.length; ) {
            int read = Math.min(stream.length - offset, 1 + split.nextInt(32));
            channel.writeInbound(Unpooled.wrappedBuffer(stream, offset, read));
            offset += read;
            drain(channel, emitted);
            // One byte for the start block and at most the limit of frame content; anything beyond is dropped.
            assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo(maxFrameBytes + 1);
        }
        channel.finish();
        drain(channel, emitted);

        List<Object> expected = readAtOnce(stream, maxFrameBytes);
        assertThat(emitted).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i) instanceof byte[] message) {
                assertThat(emitted.get(i)).isInstanceOf(byte[].class);
                assertThat((byte[]) emitted.get(i)).isEqualTo(message);
            } else {
                MllpOversizeFrame want = (MllpOversizeFrame) expected.get(i);
                assertThat(emitted.get(i)).isInstanceOf(MllpOversizeFrame.class);
                MllpOversizeFrame got = (MllpOversizeFrame) emitted.get(i);
                assertThat(got.sizeBytes()).isEqualTo(want.sizeBytes());
                assertThat(got.limitBytes()).isEqualTo(maxFrameBytes);
                // The header is taken from what had arrived when the limit was passed: with a limit this small that
                // can end before the first segment does, so only a prefix of it is promised.
                assertThat(want.header()).startsWith(got.header());
            }
        }
    }

    private static void drain(EmbeddedChannel channel, List<Object> into) {
        for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
            into.add(o);
        }
    }

    /** The framing rules applied to the whole stream: VT, content up to the next FS, an optional CR after it. */
    private static List<Object> readAtOnce(byte[] stream, int maxFrameBytes) {
        List<Object> frames = new ArrayList<>();
        int i = 0;
        while (true) {
            int start = indexOf(stream, MllpFrameDecoder.START_BLOCK, i);
            if (start < 0) {
                return frames;
            }
            int end = indexOf(stream, MllpFrameDecoder.END_BLOCK, start + 1);
            if (end < 0) {
                return frames; // cut off by the closed connection: never delivered
            }
            byte[] content = Arrays.copyOfRange(stream, start + 1, end);
            if (content.length > maxFrameBytes) {
                int header = 0;
                while (header < Math.min(content.length, MllpFrameDecoder.HEADER_PREFIX_BYTES)
                        && content[header] != MllpFrameDecoder.CARRIAGE_RETURN
                        && content[header] != MllpFrameDecoder.LINE_FEED) {
                    header++;
                }
                frames.add(new MllpOversizeFrame(Arrays.copyOf(content, header), content.length, maxFrameBytes));
            } else {
                frames.add(content);
            }
            i = end + 1;
            if (i < stream.length && stream[i] == MllpFrameDecoder.CARRIAGE_RETURN) {
                i++;
            }
        }
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
