package io.caduceus.edge.mllp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Sends one HL7 message over MLLP and waits for the one framed reply, within deadlines: a connection of its own per
 * message, so a listener that restarted, or a reply that never came, cannot leave a half-used connection behind for
 * the next message.
 */
public final class MllpClient {

    private final Duration connectTimeout;
    private final Duration replyTimeout;
    private final int maxReplyBytes;
    private final SSLContext tls;

    /**
     * @param connectTimeout longest wait for the TCP connection
     * @param replyTimeout longest wait for the complete reply, counted from the end of sending
     * @param maxReplyBytes the largest reply read; acknowledgements are small, anything longer is not one
     */
    public MllpClient(Duration connectTimeout, Duration replyTimeout, int maxReplyBytes) {
        this(connectTimeout, replyTimeout, maxReplyBytes, null);
    }

    /**
     * @param tls when not null, every connection is TLS from this context, and the peer's certificate must name the
     *     host connected to (HTTPS rules, RFC 2818: subject alternative names), not just chain to a trusted CA
     */
    public MllpClient(Duration connectTimeout, Duration replyTimeout, int maxReplyBytes, SSLContext tls) {
        this.connectTimeout = connectTimeout;
        this.replyTimeout = replyTimeout;
        this.maxReplyBytes = maxReplyBytes;
        this.tls = tls;
    }

    /** Frames and sends {@code message}, returns the reply without its framing. */
    public byte[] send(String host, int port, byte[] message) throws IOException {
        try (Socket socket = connect(host, port)) {
            OutputStream out = socket.getOutputStream();
            byte[] frame = new byte[message.length + 3];
            frame[0] = MllpFrameDecoder.START_BLOCK;
            System.arraycopy(message, 0, frame, 1, message.length);
            frame[frame.length - 2] = MllpFrameDecoder.END_BLOCK;
            frame[frame.length - 1] = MllpFrameDecoder.CARRIAGE_RETURN;
            out.write(frame);
            out.flush();
            return readReply(socket, System.nanoTime() + replyTimeout.toNanos());
        }
    }

    private Socket connect(String host, int port) throws IOException {
        Socket plain = new Socket();
        try {
            int timeout = Math.toIntExact(connectTimeout.toMillis());
            plain.connect(new InetSocketAddress(host, port), timeout);
            plain.setTcpNoDelay(true);
            if (tls == null) {
                return plain;
            }
            // Given the host name, the socket sends it as SNI and can check it against the certificate.
            SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            // The handshake is part of connecting: the same deadline, so a peer that never answers it cannot stall us.
            socket.setSoTimeout(timeout);
            socket.startHandshake();
            return socket;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private byte[] readReply(Socket socket, long deadline) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream reply = new ByteArrayOutputStream(256);
        boolean inFrame = false;
        byte[] buffer = new byte[4096];
        while (true) {
            long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMillis <= 0) {
                throw new SocketTimeoutException("no complete MLLP reply within " + replyTimeout.toMillis() + " ms");
            }
            // The read timeout is what is left of the deadline, so a peer trickling bytes cannot extend it.
            socket.setSoTimeout(Math.toIntExact(Math.min(remainingMillis, Integer.MAX_VALUE)));
            int read;
            try {
                read = in.read(buffer);
            } catch (SocketTimeoutException e) {
                throw new SocketTimeoutException("no complete MLLP reply within " + replyTimeout.toMillis() + " ms");
            }
            if (read < 0) {
                throw new IOException("connection closed before a complete MLLP reply");
            }
            for (int i = 0; i < read; i++) {
                byte b = buffer[i];
                if (!inFrame) {
                    inFrame = b == MllpFrameDecoder.START_BLOCK; // bytes before the frame are not the reply
                } else if (b == MllpFrameDecoder.END_BLOCK) {
                    return reply.toByteArray(); // the CR after it is not waited for: some peers omit it
                } else if (reply.size() >= maxReplyBytes) {
                    throw new IOException("MLLP reply longer than " + maxReplyBytes + " bytes");
                } else {
                    reply.write(b);
                }
            }
        }
    }
}
