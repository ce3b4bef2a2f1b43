package org.asyncprimer.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The bits of RFC 6455 the benchmark's WebSocket clients ({@link WsSession}, {@link WsSubscriber}) share: the
 * upgrade request, the 101 in the response, the server's unmasked frames (up to 64 KiB) and the client's short
 * masked ones (RFC 6455 5.3).
 */
final class WsFrames {

    /** One frame from the server: FIN, the opcode and the payload. */
    record Frame(boolean fin, int opcode, byte[] payload) {

        /** A close frame's code, 1005 (none given) if it has none. */
        int closeCode() {
            return payload.length >= 2 ? (payload[0] & 0xff) << 8 | payload[1] & 0xff : 1005;
        }

        /** A close frame's reason, "" if none. */
        String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    /** What {@link #frameReady} answers for a frame this client does not read. */
    static final int TOO_LARGE = -1;

    private WsFrames() {
    }

    /** The upgrade request for {@code pathAndQuery}, with a fresh random key. */
    static ByteBuffer upgrade(String host, String pathAndQuery) {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        return ByteBuffer.wrap(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The response head at {@code in}'s position up to and including its blank line, or null while it has not all
     * come; the position is left where it was.
     */
    static String head(ByteBuffer in) {
        String text = StandardCharsets.ISO_8859_1.decode(in.duplicate()).toString();
        int end = text.indexOf("\r\n\r\n");
        return end < 0 ? null : text.substring(0, end + 4);
    }

    /** True for the head of a 101, the switch to WebSocket. */
    static boolean switched(String head) {
        return head.startsWith("HTTP/1.1 101");
    }

    /** 1: a whole frame is at {@code in}'s position; 0: not yet; {@link #TOO_LARGE}: one over 64 KiB. */
    static int frameReady(ByteBuffer in) {
        if (in.remaining() < 2) {
            return 0;
        }
        int len = in.get(in.position() + 1) & 0x7f;
        if (len == 127) {
            return TOO_LARGE;
        }
        int header = 2;
        if (len == 126) {
            if (in.remaining() < 4) {
                return 0;
            }
            len = in.getShort(in.position() + 2) & 0xffff;
            header = 4;
        }
        return in.remaining() >= header + len ? 1 : 0;
    }

    /** Reads the frame that {@link #frameReady} found whole. */
    static Frame read(ByteBuffer in) {
        int first = in.get() & 0xff;
        int len = in.get() & 0x7f;
        if (len == 126) {
            len = in.getShort() & 0xffff;
        }
        byte[] payload = new byte[len];
        in.get(payload);
        return new Frame((first & 0x80) != 0, first & 0x0f, payload);
    }

    /** A masked client frame with FIN set; short frames only (payload under 126 bytes). */
    static ByteBuffer masked(int opcode, byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(payload.length + 6);
        frame.put((byte) (0x80 | opcode)).put((byte) (0x80 | payload.length));
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.put(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.put((byte) (payload[i] ^ mask[i % 4]));
        }
        return frame.flip();
    }

    /** A close frame with code 1000 (normal closure). */
    static ByteBuffer close1000() {
        return masked(0x8, new byte[] {0x03, (byte) 0xe8});
    }
}
