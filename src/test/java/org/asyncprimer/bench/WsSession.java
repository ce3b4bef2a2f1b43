package org.asyncprimer.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One WebSocket client of the {@code wsecho} scenario: the handshake, then {@code rounds} round trips, each
 * reply checked against the seed's exact answer, then a close frame; or, for the churn, no close frame: the TCP
 * connection is dropped ({@link #dropping}), also by a chat socket that only listens, after its first message
 * ({@link #listening}). The frames are {@link WsFrames}'.
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
        out = WsFrames.upgrade(host, path);
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
        in = ReadBuffers.appended(in, data);
        if (!upgraded) {
            String head = WsFrames.head(in);
            if (head == null) {
                in.compact();
                return;
            }
            if (!WsFrames.switched(head)) {
                fail(head.lines().findFirst().orElse("no status line"));
                return;
            }
            upgraded = true;
            in.position(in.position() + head.length());
            if (echoes) {
                send(now);
            }
        }
        while (!finished && frameReady()) {
            readReply(WsFrames.read(in), now);
        }
        in.compact();
    }

    /** A whole server frame is in the buffer; one over 64 KiB fails the session. */
    private boolean frameReady() {
        int ready = WsFrames.frameReady(in);
        if (ready == WsFrames.TOO_LARGE) {
            fail("reply over 64 KiB");
        }
        return ready == 1;
    }

    private void readReply(WsFrames.Frame frame, long now) {
        if (frame.opcode() != 1) {
            fail("frame with opcode " + frame.opcode() + " (close code "
                    + (frame.payload().length >= 2 ? frame.closeCode() : -1) + ")");
            return;
        }
        rttNanos[round] = now - sentAt;
        if (echoes && !new String(frame.payload(), StandardCharsets.UTF_8).equals(expectedReply(id, round))) {
            wrong++;
        }
        round++;
        if (round == rounds) {
            out = drop == null ? WsFrames.close1000() : ByteBuffer.allocate(0);
            finished = true;
        } else {
            send(now);
        }
    }

    private void send(long now) {
        sentAt = now;
        out = WsFrames.masked(0x1, message(id, round).getBytes(StandardCharsets.UTF_8));
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
