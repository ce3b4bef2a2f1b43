package org.asyncprimer.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A chat subscriber over a WebSocket, {@code /chat/{room}/socket?since=<marker>}: each text message is a
 * message's JSON. Subscribed at the 101 (the server subscribes in onOpen, right after it); after the last message
 * it sends a close frame (1000). Client frames are masked (RFC 6455 5.3).
 */
final class WsSubscriber extends ChatSubscriber {

    private ByteBuffer out;
    private ByteBuffer in = ByteBuffer.allocate(4096);
    private boolean upgraded;
    private boolean closing;

    WsSubscriber(String host, String room, String since, int count, Runnable onReady) {
        super("ws", count, onReady);
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        out = ascii("GET /chat/" + room + "/socket?since=" + since + " HTTP/1.1\r\nHost: " + host
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
    }

    @Override
    public ByteBuffer outgoing() {
        return out;
    }

    @Override
    public void connected(long now) {
    }

    @Override
    public void received(ByteBuffer data, long now) {
        if (in.remaining() < data.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(in.capacity() * 2, in.position() + data.remaining()));
            in.flip();
            in = bigger.put(in);
        }
        in.put(data);
        in.flip();
        try {
            if (!upgraded && !handshake()) {
                return;
            }
            while (failure == null && !closing && frameReady()) {
                frame(now);
            }
        } finally {
            in.compact();
        }
    }

    /** True once the 101 has been read; a refusal fails the subscriber. */
    private boolean handshake() {
        String head = StandardCharsets.ISO_8859_1.decode(in.duplicate()).toString();
        int end = head.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        if (!head.startsWith("HTTP/1.1 101")) {
            fail("handshake answered " + head.lines().findFirst().orElse("nothing"));
            return false;
        }
        upgraded = true;
        subscribed();
        in.position(in.position() + end + 4);
        return true;
    }

    /** A whole server frame (unmasked, up to 64 KiB) is in the buffer. */
    private boolean frameReady() {
        if (in.remaining() < 2) {
            return false;
        }
        int len = in.get(in.position() + 1) & 0x7f;
        if (len == 127) {
            fail("a frame over 64 KiB");
            return false;
        }
        int header = len == 126 ? 4 : 2;
        if (len == 126) {
            if (in.remaining() < 4) {
                return false;
            }
            len = in.getShort(in.position() + 2) & 0xffff;
        }
        return in.remaining() >= header + len;
    }

    private void frame(long now) {
        int first = in.get() & 0xff;
        int len = in.get() & 0x7f;
        if (len == 126) {
            len = in.getShort() & 0xffff;
        }
        byte[] payload = new byte[len];
        in.get(payload);
        int opcode = first & 0x0f;
        if ((first & 0x80) == 0 || opcode == 0) {
            fail("a fragmented message"); // the chat's messages are small: the server sends each in one frame
        } else if (opcode == 1) {
            message(new String(payload, StandardCharsets.UTF_8), now);
            if (hasLast()) {
                closing = true;
                out = frame(0x8, new byte[] {0x03, (byte) 0xe8}); // close, 1000
            }
        } else if (opcode == 9) {
            out = frame(0xA, payload); // pong; at most one is pending, the server's next ping gets the next
        } else if (opcode == 8) {
            fail("closed by the server with " + (len >= 2 ? (payload[0] & 0xff) << 8 | payload[1] & 0xff : 1005)
                    + (len > 2 ? " " + new String(payload, 2, len - 2, StandardCharsets.UTF_8) : ""));
        } else if (opcode != 0xA) {
            fail("a frame with opcode " + opcode);
        }
    }

    private static ByteBuffer frame(int opcode, byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(payload.length + 6);
        frame.put((byte) (0x80 | opcode)).put((byte) (0x80 | payload.length)); // short frames only (< 126 bytes)
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.put(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.put((byte) (payload[i] ^ mask[i % 4]));
        }
        return frame.flip();
    }

    @Override
    public boolean finished() {
        return (closing && !out.hasRemaining()) || failure != null;
    }

    @Override
    public boolean reconnect(long now) {
        return false;
    }

    @Override
    public boolean inProgress() {
        return upgraded && !finished();
    }
}
