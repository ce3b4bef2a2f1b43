package org.asyncprimer.it;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A WebSocket client on a bare socket that can send what no well-behaved client library will: invalid UTF-8,
 * unmasked frames, and message after message without reading a single reply. It reads the server's answer as
 * {@code (opcode, payload)} frames.
 */
public final class RawWebSocket implements AutoCloseable {

    /** One frame from the server. */
    public record Frame(int opcode, byte[] payload) {
        /** The close code of a close frame, or -1. */
        public int closeCode() {
            return opcode == 8 && payload.length >= 2 ? (payload[0] & 0xff) << 8 | payload[1] & 0xff : -1;
        }
    }

    /** What {@link #readToClose} saw: the close code (-1: the connection ended without a close frame). */
    public record Ending(int closeCode, int dataFrames, long dataBytes) {
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
        return open(base, 0);
    }

    /**
     * Connects with a receive buffer of {@code receiveBuffer} bytes (0: the system's default; set before connecting,
     * so the TCP window is small from the start and a client that does not read backs the server up quickly).
     */
    public static RawWebSocket open(URI base, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
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

    /**
     * Sends {@code GET /websocket} with a Host header and {@code headerLines} (e.g. {@code "Origin: null"}), nothing
     * else, and returns the status code of the answer.
     */
    public static int status(URI base, String... headerLines) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder("GET /websocket HTTP/1.1\r\nHost: " + base.getHost() + ":"
                    + base.getPort() + "\r\n");
            for (String line : headerLines) {
                request.append(line).append("\r\n");
            }
            socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            if (statusLine == null || !statusLine.startsWith("HTTP/1.1 ")) {
                throw new IOException("not an HTTP answer: " + statusLine);
            }
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }

    /** Sends one final frame with {@code opcode}; {@code masked} false breaks RFC 6455 5.1 on purpose. */
    public void send(int opcode, byte[] payload, boolean masked) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(14);
        head.write(0x80 | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            head.write(maskBit | payload.length);
        } else if (payload.length <= 0xffff) {
            head.write(maskBit | 126);
            head.write(payload.length >>> 8);
            head.write(payload.length);
        } else {
            head.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                head.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        byte[] body = payload.clone();
        if (masked) {
            head.write(mask);
            for (int i = 0; i < body.length; i++) {
                body[i] ^= mask[i % 4];
            }
        }
        out.write(head.toByteArray());
        out.write(body);
        out.flush();
    }

    public Frame read() throws IOException {
        return readRest(in.readUnsignedByte());
    }

    private Frame readRest(int first) throws IOException {
        int opcode = first & 0x0f;
        long length = in.readUnsignedByte() & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        if (length > 1 << 24) {
            throw new IOException("frame of " + length + " bytes: too long for this test client");
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(opcode, payload);
    }

    /** Reads the frames of one data message (the server may fragment it) and returns its payload. */
    public byte[] readMessage() throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            int first = in.readUnsignedByte();
            Frame frame = readRest(first);
            if (frame.opcode() == 8) {
                throw new EOFException("closed with " + frame.closeCode() + " in the middle of a message");
            }
            message.write(frame.payload());
            if ((first & 0x80) != 0) {
                return message.toByteArray();
            }
        }
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

    /**
     * Reads and counts data frames until the server's close frame, answers it as RFC 6455 5.5.1 asks (the server
     * may otherwise hold the connection until its close timeout), and returns what it saw; a connection that ends
     * without a close frame gives close code -1. A read timeout (10 s) means the server neither closed nor sent.
     */
    public Ending readToClose() throws IOException {
        int frames = 0;
        long bytes = 0;
        try {
            while (true) {
                Frame frame = read();
                if (frame.opcode() == 8) {
                    answerClose(frame);
                    return new Ending(frame.closeCode(), frames, bytes);
                }
                frames++;
                bytes += frame.payload().length;
            }
        } catch (EOFException | SocketException dropped) {
            return new Ending(-1, frames, bytes);
        } catch (SocketTimeoutException silent) {
            throw new SocketTimeoutException("neither a frame nor the end of the connection in 10 s, after "
                    + frames + " data frames (" + bytes + " bytes)");
        }
    }

    private void answerClose(Frame close) {
        try {
            send(8, close.payload().length >= 2 ? new byte[] {close.payload()[0], close.payload()[1]} : new byte[0],
                    true);
        } catch (IOException serverHungUpFirst) {
            // Allowed: the close frame arrived, which is what the caller asked about; the echo is a courtesy.
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
