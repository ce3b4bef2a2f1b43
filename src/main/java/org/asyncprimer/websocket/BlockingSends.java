package org.asyncprimer.websocket;

import jakarta.websocket.Session;

/**
 * How long Tomcat may hold a thread for one of the sends it makes blocking (Tomcat's default: 20 s): the close
 * frame, the echo of the client's close and the pong to its ping. They wait first for a message in flight, which
 * is stuck when the client does not read, and a session closed for not reading is closed exactly then, on the
 * thread that found it out (the echo's reader, a request thread; for the chat, the one thread of its
 * {@code SessionCloser}, which would otherwise close a crowd that fell behind 20 s apart); when the time is up Tomcat drops the connection (so a client that
 * pings while a message takes longer than this to go out loses it). Tomcat
 * before 10.1.24 sends every close frame with the first property; later ones a close other than 1000 with the
 * second (default 50 ms). Other containers send these without blocking and ignore the user properties.
 */
public final class BlockingSends {

    static final Long TIMEOUT_MS = 200L;

    private BlockingSends() {
    }

    /** Bounds them for {@code session}: call it in the endpoint's open, before anything is sent. */
    public static void bound(Session session) {
        session.getUserProperties().put("org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT", TIMEOUT_MS);
        session.getUserProperties().put("org.apache.tomcat.websocket.ABNORMAL_SESSION_CLOSE_SEND_TIMEOUT", TIMEOUT_MS);
    }
}
