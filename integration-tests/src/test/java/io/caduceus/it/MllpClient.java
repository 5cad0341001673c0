package io.caduceus.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** A plain MLLP sender, as a legacy HIS is one: a socket, framed messages, blocking reads of the acknowledgement. */
public final class MllpClient implements AutoCloseable {

    public static final byte START = 0x0b;
    public static final byte END = 0x1c;
    public static final byte CR = 0x0d;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public MllpClient(String host, int port, int readTimeoutMillis) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(readTimeoutMillis);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public static byte[] frame(byte[] message) {
        byte[] framed = new byte[message.length + 3];
        framed[0] = START;
        System.arraycopy(message, 0, framed, 1, message.length);
        framed[framed.length - 2] = END;
        framed[framed.length - 1] = CR;
        return framed;
    }

    /** Sends one framed message and waits for its acknowledgement. */
    public String send(String message) throws IOException {
        return send(message.getBytes(StandardCharsets.ISO_8859_1));
    }

    public String send(byte[] message) throws IOException {
        writeRaw(frame(message));
        return readAck().orElseThrow(() -> new IOException("connection closed without an acknowledgement"));
    }

    public void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next acknowledgement, or empty if the connection closed or nothing arrived within the read timeout. */
    public Optional<String> readAck() throws IOException {
        ByteArrayOutputStream ack = new ByteArrayOutputStream();
        boolean started = false;
        try {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return Optional.empty();
                }
                if (!started) {
                    started = b == START;
                    continue;
                }
                if (b == END) {
                    in.read(); // the trailing CR
                    return Optional.of(ack.toString(StandardCharsets.ISO_8859_1));
                }
                ack.write(b);
            }
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        }
    }

    /** MSA-1 of an acknowledgement: AA, AE, AR, CA, CE or CR. */
    public static String ackCode(String ack) {
        return msaField(ack, 1);
    }

    /** MSA-2 of an acknowledgement: the control id of the message it answers. */
    public static String ackedControlId(String ack) {
        return msaField(ack, 2);
    }

    private static String msaField(String ack, int field) {
        for (String segment : ack.split("[\r\n]+")) {
            if (segment.startsWith("MSA")) {
                String[] fields = segment.split(java.util.regex.Pattern.quote(String.valueOf(segment.charAt(3))), -1);
                return field < fields.length ? fields[field] : "";
            }
        }
        return "";
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
