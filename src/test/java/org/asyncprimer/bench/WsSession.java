package org.asyncprimer.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One WebSocket client of the {@code wsecho} scenario: the handshake, then {@code rounds} round trips, each
 * reply checked against the seed's exact answer, then a close frame; or, for the churn, no close frame: the TCP
 * connection is dropped ({@link #dropping}), also by a chat socket that only listens, after its first message
 * ({@link #listening}). Client frames are masked (RFC 6455 5.3).
 */
final class WsSession implements LoadLoop.Conn {

    private final int id;
    private final int rounds;
    private final String host;
    /** Null: the session ends with a close frame. */
    private final LoadLoop.HangUp drop;
    /** False: a listener, which sends nothing and takes any text as a round. */
    private final boolean echoes;
    final long[] rttNanos;
    private ByteBuffer out;
    private ByteBuffer in = ByteBuffer.allocate(4096);
    private boolean upgraded;
    private boolean finished;
    private int round;
    private long sentAt;
    int wrong;
    String failure;

    WsSession(int id, int rounds, String host) {
        this(id, rounds, "/websocket", host, null, true);
    }

    /** A session that drops the connection, {@code how}, after its last round trip instead of closing. */
    static WsSession dropping(int id, int rounds, String host, LoadLoop.HangUp how) {
        return new WsSession(id, rounds, "/websocket", host, how, true);
    }

    /** A session on {@code path} that sends nothing and drops the connection, {@code how}, once a text comes. */
    static WsSession listening(String path, String host, LoadLoop.HangUp how) {
        return new WsSession(-1, 1, path, host, how, false);
    }

    private WsSession(int id, int rounds, String path, String host, LoadLoop.HangUp drop, boolean echoes) {
        this.drop = drop;
        this.echoes = echoes;
        this.id = id;
        this.rounds = rounds;
        this.host = host;
        this.rttNanos = new long[rounds];
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        out = ascii("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n");
    }

    static String message(int session, int round) {
        return "session " + session + " round " + round;
    }

    static String expectedReply(int session, int round) {
        return "Your message was: '" + message(session, round) + "'";
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
        if (!upgraded) {
            String head = StandardCharsets.ISO_8859_1.decode(in.duplicate()).toString();
            int end = head.indexOf("\r\n\r\n");
            if (end < 0) {
                in.compact();
                return;
            }
            if (!head.startsWith("HTTP/1.1 101")) {
                fail(head.lines().findFirst().orElse("no status line"));
                return;
            }
            upgraded = true;
            in.position(end + 4);
            if (echoes) {
                send(now);
            }
        }
        while (!finished && frameReady()) {
            readReply(now);
        }
        in.compact();
    }

    /** A whole unmasked server frame (length up to 64 KiB) is in the buffer. */
    private boolean frameReady() {
        if (in.remaining() < 2) {
            return false;
        }
        int len = in.get(in.position() + 1) & 0x7f;
        int header = 2;
        if (len == 126) {
            if (in.remaining() < 4) {
                return false;
            }
            len = in.getShort(in.position() + 2) & 0xffff;
            header = 4;
        } else if (len == 127) {
            fail("reply over 64 KiB");
            return false;
        }
        return in.remaining() >= header + len;
    }

    private void readReply(long now) {
        int opcode = in.get() & 0x0f;
        int len = in.get() & 0x7f;
        if (len == 126) {
            len = in.getShort() & 0xffff;
        }
        byte[] payload = new byte[len];
        in.get(payload);
        if (opcode != 1) {
            fail("frame with opcode " + opcode + " (close code "
                    + (len >= 2 ? ((payload[0] & 0xff) << 8 | payload[1] & 0xff) : -1) + ")");
            return;
        }
        rttNanos[round] = now - sentAt;
        if (echoes && !new String(payload, StandardCharsets.UTF_8).equals(expectedReply(id, round))) {
            wrong++;
        }
        round++;
        if (round == rounds) {
            out = drop == null ? frame(0x8, new byte[] {0x03, (byte) 0xe8}) : ByteBuffer.allocate(0); // close, 1000
            finished = true;
        } else {
            send(now);
        }
    }

    private void send(long now) {
        sentAt = now;
        out = frame(0x1, message(id, round).getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuffer frame(int opcode, byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(payload.length + 8);
        frame.put((byte) (0x80 | opcode)).put((byte) (0x80 | payload.length)); // short frames only
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.put(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.put((byte) (payload[i] ^ mask[i % 4]));
        }
        return frame.flip();
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    private void fail(String why) {
        failure = why;
        finished = true;
        out = ByteBuffer.allocate(0);
    }

    @Override
    public void closed(long now, String why) {
        if (failure == null && round < rounds) {
            failure = why != null ? why : "closed after " + round + " of " + rounds + " rounds";
        }
    }

    @Override
    public boolean finished() {
        return finished && !out.hasRemaining();
    }

    @Override
    public LoadLoop.HangUp hangUp() {
        return drop == null ? LoadLoop.HangUp.FIN : drop;
    }

    @Override
    public boolean inProgress() {
        return upgraded && !finished;
    }

    boolean complete() {
        return failure == null && round == rounds && wrong == 0;
    }

    int rounds() {
        return round;
    }
}
