package org.asyncprimer.bench;

import java.nio.ByteBuffer;

/**
 * A chat subscriber over a WebSocket, {@code /chat/{room}/socket?since=<marker>}: each text message is a
 * message's JSON. Subscribed at the 101 (the server subscribes in onOpen, right after it); finished with the last
 * message, and its connection closed when the run ends ({@link SubscriberLoop}: a close frame right away would have
 * the server take every client's close while it still delivers the last message). The frames are {@link WsFrames}'.
 */
final class WsSubscriber extends ChatSubscriber {

    private ByteBuffer out;
    private ByteBuffer in = ByteBuffer.allocate(4096);
    private boolean upgraded;

    WsSubscriber(String host, String room, String since, int count, Runnable onReady) {
        super("ws", count, onReady);
        out = WsFrames.upgrade(host, "/chat/" + room + "/socket?since=" + since);
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
        try {
            if (!upgraded && !handshake()) {
                return;
            }
            while (failure == null && !hasLast() && frameReady()) {
                frame(WsFrames.read(in), now);
            }
        } finally {
            in.compact();
        }
    }

    /** True once the 101 has been read; a refusal fails the subscriber. */
    private boolean handshake() {
        String head = WsFrames.head(in);
        if (head == null) {
            return false;
        }
        if (!WsFrames.switched(head)) {
            fail("handshake answered " + head.lines().findFirst().orElse("nothing"));
            return false;
        }
        upgraded = true;
        subscribed();
        in.position(in.position() + head.length());
        return true;
    }

    /** A whole server frame is in the buffer; one over 64 KiB fails the subscriber. */
    private boolean frameReady() {
        int ready = WsFrames.frameReady(in);
        if (ready == WsFrames.TOO_LARGE) {
            fail("a frame over 64 KiB");
        }
        return ready == 1;
    }

    private void frame(WsFrames.Frame frame, long now) {
        int opcode = frame.opcode();
        if (!frame.fin() || opcode == 0) {
            fail("a fragmented message"); // the chat's messages are small: the server sends each in one frame
        } else if (opcode == 1) {
            message(frame.payload(), 0, frame.payload().length, now);
        } else if (opcode == 9) {
            out = WsFrames.masked(0xA, frame.payload()); // pong; at most one is pending, the next ping gets the next
        } else if (opcode == 8) {
            fail("closed by the server with " + frame.closeCode()
                    + (frame.closeReason().isEmpty() ? "" : " " + frame.closeReason()));
        } else if (opcode != 0xA) {
            fail("a frame with opcode " + opcode);
        }
    }

    @Override
    public boolean finished() {
        return hasLast() || failure != null;
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
