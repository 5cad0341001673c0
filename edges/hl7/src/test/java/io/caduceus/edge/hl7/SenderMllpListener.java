package io.caduceus.edge.hl7;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A sending system's MLLP listener for application acknowledgements: records each framed message it receives and
 * answers it with a commit acknowledgement of the configured code, once {@link #holdReplies} lets it.
 */
final class SenderMllpListener implements AutoCloseable {

    private final ServerSocket server;
    private final String replyCode;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile CountDownLatch replyGate = new CountDownLatch(0);

    private SenderMllpListener(ServerSocket server, String replyCode) {
        this.server = server;
        this.replyCode = replyCode;
        this.acceptor = new Thread(this::serve, "sender-mllp-listener-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static SenderMllpListener on(int port, String replyCode) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return new SenderMllpListener(server, replyCode);
    }

    static SenderMllpListener onFreePort(String replyCode) throws IOException {
        return on(0, replyCode);
    }

    /** A listener speaking TLS with {@code tls}'s key, asking for a client certificate when {@code needClientAuth}. */
    static SenderMllpListener tlsOnFreePort(String replyCode, javax.net.ssl.SSLContext tls, boolean needClientAuth) throws IOException {
        javax.net.ssl.SSLServerSocket server = (javax.net.ssl.SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
        server.setNeedClientAuth(needClientAuth);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new SenderMllpListener(server, replyCode);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Messages received so far, unframed, segments separated by CR. */
    List<String> received() {
        return received;
    }

    /** Until the returned latch is counted down, received messages are recorded but not answered. */
    CountDownLatch holdReplies() {
        replyGate = new CountDownLatch(1);
        return replyGate;
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(10_000);
                String message = readFrame(socket.getInputStream());
                received.add(message);
                replyGate.await(30, TimeUnit.SECONDS);
                OutputStream out = socket.getOutputStream();
                out.write(0x0b);
                out.write(("MSH|^~\\&|HIS|HOSPITAL|CADUCEUS|HUB|20261125101530||ACK|R1|P|2.5.1\rMSA|" + replyCode + "|"
                        + controlId(message) + "\r").getBytes(StandardCharsets.ISO_8859_1));
                out.write(new byte[] {0x1c, 0x0d});
                out.flush();
            } catch (IOException e) {
                // closed, or a client that went away: next connection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String readFrame(InputStream in) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != 0x0b) {
            if (b < 0) {
                throw new IOException("closed before a frame");
            }
        }
        while ((b = in.read()) != 0x1c) {
            if (b < 0) {
                throw new IOException("closed inside a frame");
            }
            frame.write(b);
        }
        return frame.toString(StandardCharsets.ISO_8859_1);
    }

    private static String controlId(String message) {
        String msh = message.split("\r")[0];
        String[] fields = msh.split("\\|", -1);
        return fields.length > 9 ? fields[9] : "";
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
