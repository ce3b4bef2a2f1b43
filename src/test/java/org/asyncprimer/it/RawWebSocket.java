package org.asyncprimer.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A WebSocket client on a bare socket that can send what no well-behaved client library will: invalid UTF-8,
 * unmasked frames. It reads the server's answer as {@code (opcode, payload)} frames.
 */
public final class RawWebSocket implements AutoCloseable {

    /** One frame from the server. */
    public record Frame(int opcode, byte[] payload) {
        /** The close code of a close frame, or -1. */
        public int closeCode() {
            return opcode == 8 && payload.length >= 2 ? (payload[0] & 0xff) << 8 | payload[1] & 0xff : -1;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code /websocket} and completes the handshake (101 expected). */
    public static RawWebSocket open(URI base) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
        socket.setSoTimeout(10_000);
        RawWebSocket ws = new RawWebSocket(socket);
        String key = Base64.getEncoder().encodeToString("async-primer-key".getBytes(StandardCharsets.US_ASCII));
        ws.out.write(("GET /websocket HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) ws.in.readUnsignedByte());
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("no upgrade: " + head);
        }
        return ws;
    }

    /** Sends one final frame with {@code opcode}; {@code masked} false breaks RFC 6455 5.1 on purpose. */
    public void send(int opcode, byte[] payload, boolean masked) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode);
        frame.write((masked ? 0x80 : 0) | payload.length); // short frames only
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        if (masked) {
            frame.write(mask);
        }
        for (int i = 0; i < payload.length; i++) {
            frame.write(masked ? payload[i] ^ mask[i % 4] : payload[i]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    public Frame read() throws IOException {
        int opcode = in.readUnsignedByte() & 0x0f;
        int length = in.readUnsignedByte() & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            throw new IOException("frame too long for this test client");
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(opcode, payload);
    }

    /** Reads frames until the server closes the connection (a timeout here means it did not). */
    public List<Frame> readUntilClosed() throws IOException {
        List<Frame> frames = new ArrayList<>();
        try {
            while (true) {
                frames.add(read());
            }
        } catch (EOFException | SocketException closed) {
            return frames;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
