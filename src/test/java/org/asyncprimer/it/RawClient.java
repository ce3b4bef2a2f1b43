package org.asyncprimer.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A bare socket that sends a GET and then does what a misbehaving client does: reads a little and hangs up, or
 * never reads at all. HTTP clients hide exactly these cases.
 */
public final class RawClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /** Connects and sends {@code GET pathAndQuery} (one request, then the server closes); {@code receiveBuffer} bytes small keeps the client's window small. */
    public static RawClient get(URI base, String pathAndQuery, int receiveBuffer, String... extraHeaders)
            throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
        socket.setSoTimeout(30_000);
        StringBuilder request = new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\nHost: "
                + base.getHost() + ":" + base.getPort() + "\r\nConnection: close\r\n");
        for (String header : extraHeaders) {
            request.append(header).append("\r\n");
        }
        request.append("\r\n");
        socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return new RawClient(socket);
    }

    /**
     * Opens {@code GET pathAndQuery} on {@code doomed}, stops it (within 20 s) once {@code marker} has arrived, and
     * returns what the client read after that, up to the server closing the connection: what a held response sees
     * when its server stops.
     */
    public static String readAcrossStop(Deployment doomed, String pathAndQuery, String marker) throws Exception {
        try (RawClient client = get(doomed.base(), pathAndQuery, 0)) {
            client.readUntil(marker);
            doomed.stopWithin(Duration.ofSeconds(20));
            return client.readToEnd(); // returns when the server closes the connection
        }
    }

    /** Reads until {@code marker} has arrived; returns everything read so far. */
    public String readUntil(String marker) throws IOException {
        StringBuilder seen = new StringBuilder();
        byte[] buffer = new byte[512];
        while (seen.indexOf(marker) < 0) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new IOException("connection closed before '" + marker + "'; got: " + seen);
            }
            seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        }
        return seen.toString();
    }

    /** Reads until the server closes the connection or the socket times out; returns what was read. */
    public String readToEnd() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    /**
     * Hangs up with a reset (RST), as a crashed client or a dropped network does. After a plain close (FIN) the
     * server's next write still succeeds and only the one after fails; after a reset the next one fails.
     */
    public void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
