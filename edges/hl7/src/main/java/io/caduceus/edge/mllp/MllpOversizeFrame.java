package io.caduceus.edge.mllp;

/**
 * What the MLLP decoder delivers instead of a frame longer than the limit: the frame's first segment (MSH, so that
 * the acknowledgement can name the message and use the sender's delimiters) and the frame's size. The rest of the
 * frame was read and dropped. The header is message content (sender ids): {@link #toString()} leaves it out.
 *
 * @param header the frame's first segment, at most {@link MllpFrameDecoder#HEADER_PREFIX_BYTES} of it
 * @param sizeBytes the frame's length between its start and end blocks
 * @param limitBytes the configured limit it exceeded
 */
public record MllpOversizeFrame(byte[] header, long sizeBytes, int limitBytes) {

    @Override
    public String toString() {
        return "MllpOversizeFrame[" + sizeBytes + " bytes, limit " + limitBytes + "]";
    }
}
