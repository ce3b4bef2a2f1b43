package org.asyncprimer.websocket;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.charset.StandardCharsets;
import org.asyncprimer.app.App;
import org.asyncprimer.app.OpenResponses;
import org.asyncprimer.app.Outcome;

/**
 * The seed's WebSocket echo: every message is answered with {@code Your message was: 'the message'}, quoted
 * exactly as the seed's Python server quotes it. A session costs no thread between messages. Each open session
 * counts in /status ({@code openEchoSessions}) and /metrics (kind {@code websocket-echo}), with its messages.
 *
 * <pre>websocat ws://localhost:8080/websocket</pre>
 */
@ServerEndpoint(value = "/websocket", configurator = OriginCheck.class)
public final class EchoEndpoint implements OpenResponses.Open {

    static final String PREFIX = "Your message was: ";
    /** The /status field of this kind, registered by {@link WebSocketPageServlet} (endpoints have no init()). */
    static final String KIND = "openEchoSessions";


    private Replies replies;
    private OpenResponses<EchoEndpoint> sessions;
    private Counter in;
    private Counter out;
    private volatile boolean stopping;

    @OnOpen
    public void open(Session session, EndpointConfig config) {
        BlockingSends.bound(session); // our own close waits for no reply: Replies sends it once none is in flight
        // The container's defaults are small (see WebSocketSetup): the echo's own limits apply from the first
        // message on.
        int limit = WebSocketSettings.of(config).maxMessageBytes();
        session.setMaxTextMessageBufferSize(limit);
        session.setMaxBinaryMessageBufferSize(limit);
        replies = new Replies(session);
        App app = App.from(config);
        in = messages(app.meters(), "in");
        out = messages(app.meters(), "out");
        sessions = app.kind(KIND, EchoEndpoint.class);
        sessions.add(this);
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        sessions.remove(this, stopping ? Outcome.SHUTDOWN : Outcome.ofCloseCode(reason.getCloseCode().getCode()));
    }

    /** The application stops: close with 1001, as a server going away does, after the reply in flight. */
    @Override
    public void finish() {
        stopping = true;
        replies.close(new CloseReason(CloseCodes.GOING_AWAY, "server stopping"));
    }

    /** What this session's replies waiting to go out hold: /status {@code queuedEchoChars}. */
    long queuedChars() {
        return replies.waitingChars(); // set before the session joins the registry /status reads
    }

    /** Made only when it is going to be sent (see {@link Replies#send}): that is when it counts as out. */
    private String reply(String quoted) {
        out.increment();
        return PREFIX + quoted;
    }

    /** Messages received ({@code in}) and replies made to be sent ({@code out}); resolved once per session. */
    static Counter messages(MeterRegistry meters, String direction) {
        return Counter.builder("asyncprimer.websocket.messages").description("WebSocket messages, by endpoint")
                .tag("endpoint", "echo").tag("direction", direction).register(meters);
    }

    @OnMessage
    public void text(Session session, String message) {
        // The container enforces the limit in its own unit (Tomcat counts chars); this makes it bytes everywhere.
        if (message.length() > session.getMaxTextMessageBufferSize() / 3
                && message.getBytes(StandardCharsets.UTF_8).length > session.getMaxTextMessageBufferSize()) {
            replies.close(new CloseReason(CloseCodes.TOO_BIG, "message too big"));
            return;
        }
        in.increment();
        replies.send(() -> reply(PyRepr.of(message)));
    }

    @OnMessage
    public void binary(Session session, byte[] message) {
        in.increment();
        replies.send(() -> reply(PyRepr.ofByteArray(message)));
    }

    @OnError
    public void error(Session session, Throwable failure) {
        // The container closes the session after an error (1009 for a message over the limit, 1002 for a
        // protocol error, 1006 for a lost connection); there is nothing of ours to release.
    }
}
