package org.asyncprimer.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A bare HTTP/2 connection in the clear (h2c, prior knowledge), frame by frame: what {@link RawClient} is for
 * HTTP/1.1. It sends GETs as streams, reads the connection (giving back connection-level flow-control window for
 * every DATA frame) but gives stream-level window only to the stream it is reading, so a stream it never reads
 * stalls at its first 64 KiB window while the others flow; and it resets a stream with RST_STREAM exactly when a
 * test says so; it sends a POST's body frame by frame, even one that contradicts its content-length. HTTP clients
 * hide when, and whether, they do these. Response headers are not decoded.
 */
public final class RawH2 implements AutoCloseable {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int SETTINGS = 0x4;
    private static final int PING = 0x6;
    private static final int GOAWAY = 0x7;
    private static final int WINDOW_UPDATE = 0x8;
    private static final int END_STREAM = 0x1;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int CANCEL = 0x8;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final String authority;
    /** Window is given back in batches, as browsers do: Tomcat counts tiny WINDOW_UPDATEs as abuse. */
    private static final int WINDOW_BATCH = 32768;

    private final Map<Integer, Long> dataBytes = new HashMap<>();
    private final Map<Integer, Integer> unacknowledged = new HashMap<>();
    private int nextStream = 1;

    private RawH2(Socket socket, String authority) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.authority = authority;
    }

    /** Opens the connection: the preface and an empty SETTINGS frame (all defaults). */
    public static RawH2 connect(URI base) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
        socket.setSoTimeout(30_000);
        RawH2 connection = new RawH2(socket, base.getHost() + ":" + base.getPort());
        connection.out.write(PREFACE);
        connection.frame(SETTINGS, 0, 0, new byte[0]);
        return connection;
    }

    /** Sends {@code GET pathAndQuery} (and header name, value pairs) on a new stream; returns the stream's id. */
    public int get(String pathAndQuery, String... headerPairs) throws IOException {
        return request(0x82, END_STREAM, pathAndQuery, headerPairs); // :method GET (static table 2)
    }

    /**
     * Sends the headers of {@code POST pathAndQuery} (and header name, value pairs) on a new stream, its body still
     * to come (see {@link #data}); returns the stream's id.
     */
    public int post(String pathAndQuery, String... headerPairs) throws IOException {
        return request(0x83, 0, pathAndQuery, headerPairs); // :method POST (static table 3)
    }

    /**
     * Sends a HEADERS frame on a new stream: {@code method} the static-table index byte of its :method, {@code flags}
     * those besides END_HEADERS.
     */
    private int request(int method, int flags, String pathAndQuery, String... headerPairs) throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(method);
        block.write(0x86); // :scheme http (static table 6)
        literal(block, 4, pathAndQuery); // :path
        literal(block, 1, authority); // :authority
        for (int i = 0; i < headerPairs.length; i += 2) {
            literal(block, headerPairs[i].toLowerCase(Locale.ROOT), headerPairs[i + 1]); // HTTP/2 names are lowercase
        }
        int stream = nextStream;
        nextStream += 2;
        frame(HEADERS, flags | END_HEADERS, stream, block.toByteArray());
        return stream;
    }

    /** Sends {@code bytes} of the request body on {@code stream}, the last of it when {@code end} says so. */
    public void data(int stream, byte[] bytes, boolean end) throws IOException {
        frame(DATA, end ? END_STREAM : 0, stream, bytes);
    }

    /** DATA bytes received so far on {@code stream} (while reading for any stream). */
    public long dataBytes(int stream) {
        return dataBytes.getOrDefault(stream, 0L);
    }

    /**
     * Reads frames (acknowledging SETTINGS and PING) until DATA on {@code stream} contains {@code marker}; the
     * connection's window is given back for every DATA frame, a stream's only for {@code stream}.
     */
    public String readUntil(int stream, String marker) throws IOException {
        StringBuilder data = new StringBuilder();
        while (data.indexOf(marker) < 0) {
            int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int id = in.readInt() & 0x7fffffff;
            byte[] payload = in.readNBytes(length);
            if (type == SETTINGS && (flags & ACK) == 0) {
                frame(SETTINGS, ACK, 0, new byte[0]);
            } else if (type == PING && (flags & ACK) == 0) {
                frame(PING, ACK, 0, payload);
            } else if (type == GOAWAY || (type == RST_STREAM && id == stream)) {
                throw new IOException("the server ended the " + (type == GOAWAY ? "connection" : "stream")
                        + " before '" + marker + "'; got: " + data);
            } else if (type == DATA) {
                dataBytes.merge(id, (long) length, Long::sum);
                giveBackWindow(0, length);
                if (id == stream) {
                    data.append(new String(payload, StandardCharsets.UTF_8));
                    if ((flags & END_STREAM) == 0) {
                        giveBackWindow(stream, length);
                    }
                }
            }
        }
        return data.toString();
    }

    /** Counts {@code bytes} consumed on the stream (0: the connection) and sends WINDOW_UPDATE once per batch. */
    private void giveBackWindow(int stream, int bytes) throws IOException {
        int consumed = unacknowledged.merge(stream, bytes, Integer::sum);
        if (consumed >= WINDOW_BATCH) {
            unacknowledged.put(stream, 0);
            frame(WINDOW_UPDATE, 0, stream, ByteBuffer.allocate(4).putInt(consumed).array());
        }
    }

    /** Cancels the stream (RST_STREAM, CANCEL); the connection stays open. */
    public void reset(int stream) throws IOException {
        frame(RST_STREAM, 0, stream, ByteBuffer.allocate(4).putInt(CANCEL).array());
    }

    /** An HPACK literal header field without indexing, its name from the static table, its value not Huffman-coded. */
    private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
        block.write(nameIndex);
        string(block, value);
    }

    /** An HPACK literal header field without indexing, with a new name; neither is Huffman-coded. */
    private static void literal(ByteArrayOutputStream block, String name, String value) {
        block.write(0);
        string(block, name);
        string(block, value);
    }

    /** An HPACK string literal, not Huffman-coded, short enough for a one-byte length. */
    private static void string(ByteArrayOutputStream block, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 126) {
            throw new IllegalArgumentException("longer than this client encodes: " + value);
        }
        block.write(bytes.length);
        block.writeBytes(bytes);
    }

    private synchronized void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(9);
        header.put((byte) (payload.length >>> 16)).putShort((short) payload.length);
        header.put((byte) type).put((byte) flags).putInt(stream);
        out.write(header.array());
        out.write(payload);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
