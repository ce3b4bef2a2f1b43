package org.asyncprimer.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.charset.StandardCharsets;

/**
 * The seed's WebSocket echo: every message is answered with {@code Your message was: 'the message'}, quoted
 * exactly as the seed's Python server quotes it. A session costs no thread between messages.
 *
 * <pre>websocat ws://localhost:8080/websocket</pre>
 */
@ServerEndpoint(value = "/websocket", configurator = OriginCheck.class)
public final class EchoEndpoint {

    static final String PREFIX = "Your message was: ";

    /**
     * How long Tomcat may hold a thread for one of the sends it makes blocking (Tomcat's default: 20 s): the close
     * frame, the echo of the client's close and the pong to its ping. The last two run on the thread that read the
     * client's frame and wait first for a reply in flight, which is stuck when the client does not read; when the
     * time is up Tomcat drops the connection (so a client that pings while a reply takes longer than this to go
     * out loses it). Our own close waits for no reply: {@link Replies} sends it once nothing is in flight. Other
     * containers send these without blocking and ignore the user properties.
     */
    static final Long BLOCKING_SEND_TIMEOUT_MS = 200L;

    private Replies replies;

    @OnOpen
    public void open(Session session) {
        // Tomcat before 10.1.24 sends every close frame with the first; later ones a close other than 1000 with the
        // second (default 50 ms).
        session.getUserProperties().put("org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT", BLOCKING_SEND_TIMEOUT_MS);
        session.getUserProperties().put("org.apache.tomcat.websocket.ABNORMAL_SESSION_CLOSE_SEND_TIMEOUT",
                BLOCKING_SEND_TIMEOUT_MS);
        replies = new Replies(session);
    }

    @OnMessage
    public void text(Session session, String message) {
        // The container enforces the limit in its own unit (Tomcat counts chars); this makes it bytes everywhere.
        if (message.length() > session.getMaxTextMessageBufferSize() / 3
                && message.getBytes(StandardCharsets.UTF_8).length > session.getMaxTextMessageBufferSize()) {
            replies.close(new CloseReason(CloseCodes.TOO_BIG, "message too big"));
            return;
        }
        replies.send(() -> PREFIX + PyRepr.of(message));
    }

    @OnMessage
    public void binary(Session session, byte[] message) {
        replies.send(() -> PREFIX + PyRepr.ofByteArray(message));
    }

    @OnError
    public void error(Session session, Throwable failure) {
        // The container closes the session after an error (1009 for a message over the limit, 1002 for a
        // protocol error, 1006 for a lost connection); there is nothing of ours to release.
    }
}
