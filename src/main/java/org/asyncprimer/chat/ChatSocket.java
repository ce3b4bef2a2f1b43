package org.asyncprimer.chat;

import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.asyncprimer.app.OpenResponses;
import org.asyncprimer.app.Outcome;
import org.asyncprimer.app.QueryParams;
import org.asyncprimer.metrics.ChatMeters;
import org.asyncprimer.websocket.BlockingSends;
import org.asyncprimer.websocket.OriginCheck;

/**
 * A room over a WebSocket, {@code /chat/{room}/socket?since=<id>}: the server sends each message as its JSON
 * text (and the gap marker as {@code {"gap":true,"oldest":"<id>"}}); a text {@code {"name":..,"text":..}} from
 * the client publishes it, and one it may not publish gets {@code {"error":"..."}} back on the open session.
 *
 * <pre>websocat 'ws://localhost:8080/chat/lobby/socket?since=0-0'</pre>
 *
 * <p>Sends go out one at a time (a JSR-356 async remote allows one in flight), from a bounded outbox: a client
 * that does not keep up is closed with 1008 and resumes with {@code since=} its last id, as issue #11 asks; while
 * it catches up on the history, a full outbox only pauses delivery (see {@link ChatStream}). Deployed by
 * {@link ChatServlet} with {@link OriginCheck} as its configurator, the rule of {@code /websocket}; what it shares
 * with the other sessions comes in its endpoint config. A session costs no thread.
 */
public final class ChatSocket extends Endpoint implements Subscriber, OpenResponses.Open {

    /** What every chat session is given. */
    record Shared(Broker broker, OpenResponses<ChatSocket> registry, Outbox.Bounds bounds,
                  ChatMeters.Delivery delivery, SessionCloser closer) {
    }

    static final String PATH = "/chat/{room}/socket";
    private static final String SHARED = Shared.class.getName();
    /** RFC 6455 5.5: a close frame's payload is at most 125 bytes, two of them the code. */
    private static final int MAX_REASON_BYTES = 123;
    private static final CloseReason OPENING = new CloseReason(CloseCodes.NORMAL_CLOSURE, "opening");

    private final AtomicBoolean inFlight = new AtomicBoolean();
    /** One handler for every send, not a method reference allocated per delivery. */
    private final SendHandler onSent = this::sent;
    private final AtomicBoolean ended = new AtomicBoolean();
    /**
     * {@link #OPENING} while onOpen runs, then null; or the close asked for meanwhile, which onOpen makes as it
     * returns, on its own thread. Jetty 9.4 disconnects a session closed while its onOpen runs: the close moves the
     * connection from OPENING to CLOSING, the {@code opened()} that follows onOpen in its
     * {@code WebSocketSession.open()} fails, and the close frame reaches the client only if it was written by then
     * (otherwise the client sees 1006). Made on onOpen's thread, it is written at once unless a send of the history
     * is still under way; handed to another thread (the closer, as a refused room was), it often was not. A close
     * from another thread in the moment between onOpen's return and that {@code opened()} can still meet this.
     */
    private final AtomicReference<CloseReason> closeOnceOpen = new AtomicReference<>(OPENING);

    // Set in onOpen, before the subscription can call us.
    private volatile Session session;
    private volatile Shared shared;
    private volatile String room;
    private volatile Outbox<String> outbox;
    private volatile Subscription subscription;

    // Changed by the subscriber callbacks, which the broker never runs two at a time.
    private volatile boolean catchingUp = true;
    /** Delivery refused while catching up; a finished send resumes it. */
    private volatile boolean paused;

    static ServerEndpointConfig config(Shared shared) {
        ServerEndpointConfig config = ServerEndpointConfig.Builder.create(ChatSocket.class, PATH)
                .configurator(new OriginCheck())
                .build();
        config.getUserProperties().put(SHARED, shared);
        return config;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        try {
            open(session, config);
        } finally {
            opened();
        }
    }

    private void open(Session session, EndpointConfig config) {
        this.session = session;
        // Closed for not keeping up behind a send the client never took: the one closer thread (SessionCloser)
        // must not wait 20 s on it.
        BlockingSends.bound(session);
        // Its own limit, a publish body, above the container's small default (WebSocketSetup): Tomcat sizes the text
        // buffer by it when the client's first text starts. Binary is answered with an error up to the container's
        // default binary limit, and closed with 1009 beyond it.
        session.setMaxTextMessageBufferSize(ChatInput.MAX_BODY_BYTES);
        this.shared = (Shared) config.getUserProperties().get(SHARED);
        this.outbox = new Outbox<>(shared.bounds(), shared.delivery());
        MessageId since;
        try {
            room = ChatInput.room(session.getPathParameters().get("room"));
            List<String> sinces = session.getRequestParameterMap().get("since");
            if (sinces != null && sinces.size() > 1) {
                close(CloseCodes.VIOLATED_POLICY, QueryParams.givenMoreThanOnce("since", sinces.size()), Outcome.ERROR);
                return;
            }
            since = ChatInput.id("since", sinces == null || sinces.isEmpty() ? null : sinces.get(0));
        } catch (ChatInput.Invalid invalid) {
            close(CloseCodes.VIOLATED_POLICY, invalid.getMessage(), Outcome.ERROR);
            return;
        }
        // An anonymous class, not addMessageHandler(String.class, lambda): that overload is WebSocket 1.1, and
        // Jetty 9.4 runs the 1.0 API (NoSuchMethodError). The container reads the String from the type argument.
        session.addMessageHandler(new MessageHandler.Whole<String>() {
            @Override
            public void onMessage(String text) {
                received(text);
            }
        });
        session.addMessageHandler(new MessageHandler.Whole<ByteBuffer>() {
            @Override
            public void onMessage(ByteBuffer binary) {
                send(ChatJson.error("binary messages are not taken: send the message as JSON text"));
            }
        });
        shared.registry().add(this);
        Subscription subscribed = shared.broker().subscribe(room, since, this);
        subscription = subscribed;
        if (ended.get()) {
            subscribed.cancel(); // ended meanwhile (the chat stopping) before end() could see the subscription
            return;
        }
        subscribed.resume();
    }

    /** onOpen is returning: a close asked for while it ran is made now, on its thread. */
    private void opened() {
        CloseReason asked = closeOnceOpen.getAndSet(null);
        if (asked != OPENING) {
            SessionCloser.closeNow(session, asked);
        }
    }

    /** A text from the client: a message to publish. */
    private void received(String text) {
        // The session's limit is this body limit, counted in chars on Tomcat: here it is bytes everywhere.
        if (text.length() > ChatInput.MAX_BODY_BYTES / 3
                && text.getBytes(StandardCharsets.UTF_8).length > ChatInput.MAX_BODY_BYTES) {
            close(CloseCodes.TOO_BIG, "message larger than " + ChatInput.MAX_BODY_BYTES + " bytes", Outcome.ERROR);
            return;
        }
        Draft draft;
        try {
            draft = ChatInput.json(text);
        } catch (ChatInput.Invalid invalid) {
            send(ChatJson.error(invalid.getMessage()));
            return;
        }
        // Our own message comes back through the subscription, in order with everyone else's: no echo here.
        shared.broker().publish(room, draft).whenComplete((message, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                send(ChatJson.error(cause instanceof Broker.Unavailable ? cause.getMessage() : "not published"));
            }
        });
    }

    // ---- the broker's side (a publisher's thread, the broker's fan-out thread, or ours in resume()) ----

    @Override
    public boolean onGap(MessageId oldest) {
        return deliver(ChatJson.gap(oldest), 0, null);
    }

    @Override
    public boolean onMessage(Message message) {
        return deliver(message.json(), message.jsonUtf8().length, message.at());
    }

    private boolean deliver(String text, int size, Instant publishedAt) {
        if (offer(text, size, publishedAt)) {
            return true;
        }
        if (!catchingUp) {
            // A live client that does not keep up; it resumes with since=<its last id>, from the history. Closed
            // on the closer's thread: this one delivers to everyone else.
            closeLater(CloseCodes.VIOLATED_POLICY, "not keeping up: reconnect with since=<the last id you got>",
                    Outcome.OVERFLOW);
            return false;
        }
        paused = true;
        return offer(text, size, publishedAt); // a send may have made room before it could see the flag: look again
    }

    @Override
    public void onCaughtUp() {
        catchingUp = false;
    }

    @Override
    public void onClosed(Throwable cause) {
        // The broker's thread, which ends every subscription of the node: the closes go to the closer thread, and
        // at undeploy (the closer stopped first) they run here, one after another, as App's shutdown runs them. A
        // refusal inside onOpen (a room too many: resume() calls this on onOpen's thread) is closed by onOpen.
        if (cause == null) {
            closeLater(CloseCodes.GOING_AWAY, "the chat is shutting down", Outcome.SHUTDOWN);
        } else {
            // The same line as the other transports; a cause without a message (a subscriber's own failure) would
            // otherwise fail fit() and leave the session open with its delivery cancelled.
            closeLater(CloseCodes.TRY_AGAIN_LATER, Broker.Unavailable.line(cause), Outcome.ERROR);
        }
    }

    // ---- sending, one at a time ----

    /**
     * A reply of our own ({@code {"error":...}}), from the thread that read the client's text or the broker's that
     * refused its publish: a client that does not read them is ended too.
     */
    private void send(String text) {
        if (!offer(text, 0, null)) {
            closeLater(CloseCodes.VIOLATED_POLICY, "not reading what is sent", Outcome.OVERFLOW);
        }
    }

    private boolean offer(String text, int size, Instant publishedAt) {
        if (ended.get()) {
            return true; // nobody is listening any more; the subscription is being cancelled
        }
        if (!outbox.offer(text, size == 0 ? text.length() : size, publishedAt)) {
            return false;
        }
        pump();
        return true;
    }

    /** Starts the next send unless one is in flight; its completion calls this again. */
    private void pump() {
        while (!ended.get() && outbox.peek() != null && inFlight.compareAndSet(false, true)) {
            String next = outbox.poll();
            if (next == null) {
                inFlight.set(false);
                continue;
            }
            session.getAsyncRemote().sendText(next, onSent); // may complete inline, calling sent() at once
            return;
        }
    }

    private void sent(SendResult result) {
        inFlight.set(false);
        if (!result.isOK()) {
            close(CloseCodes.GOING_AWAY, "message not taken in time", Outcome.STALLED);
            return;
        }
        if (paused) {
            paused = false;
            subscription.resume(); // there is room again; a resume that races with a refusal is not lost
        }
        pump();
    }

    // ---- the ways out ----

    /** App shutdown. */
    @Override
    public void finish() {
        close(CloseCodes.GOING_AWAY, "the chat is shutting down", Outcome.SHUTDOWN);
    }

    @Override
    public void onClose(Session closed, CloseReason reason) {
        end(Outcome.ofCloseCode(reason.getCloseCode().getCode()));
    }

    @Override
    public void onError(Session failed, Throwable failure) {
        // The container closes the session after an error (1009 for a message over its limit, 1006 for a lost
        // connection); we only let go of what we hold.
        end(Outcome.CLIENT_GONE);
    }

    /**
     * Ends the session and closes it on this thread: the container's threads, and the shutdown. While onOpen runs,
     * onOpen closes it as it returns ({@link #closeOnceOpen}).
     */
    private void close(CloseCodes code, String reason, Outcome why) {
        CloseReason closing = closing(code, reason, why);
        if (closing != null) {
            SessionCloser.closeNow(session, closing);
        }
    }

    /**
     * Ends the session here (delivery stops, the outbox is dropped) and closes it on the {@link SessionCloser}'s
     * thread: for the threads that deliver to other sessions too. While onOpen runs, onOpen closes it as it returns
     * ({@link #closeOnceOpen}).
     */
    private void closeLater(CloseCodes code, String reason, Outcome why) {
        CloseReason closing = closing(code, reason, why);
        if (closing != null) {
            shared.closer().closeSoon(session, closing);
        }
    }

    /**
     * Ends the session as {@code why}; the close the caller is to make, or null: another way out came first, or
     * onOpen is running and makes this close as it returns ({@link #closeOnceOpen}).
     */
    private CloseReason closing(CloseCodes code, String reason, Outcome why) {
        if (!end(why)) {
            return null;
        }
        CloseReason closing = new CloseReason(code, fit(reason));
        return closeOnceOpen.compareAndSet(OPENING, closing) ? null : closing;
    }

    /**
     * Once, whichever way out comes first: leave the registry (ended as {@code why}), stop delivery, drop the rest.
     * True for the first way out, which also closes the session if it closes at all.
     */
    private boolean end(Outcome why) {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        if (shared != null) {
            shared.registry().remove(this, why);
        }
        Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
        if (outbox != null) {
            outbox.clear();
        }
        return true;
    }

    long queuedBytes() {
        Outbox<String> current = outbox;
        return current == null ? 0 : current.bytes();
    }

    private static String fit(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_REASON_BYTES) {
            return reason;
        }
        String cut = new String(bytes, 0, MAX_REASON_BYTES - 3, StandardCharsets.UTF_8);
        return cut.replaceAll("\uFFFD+$", "") + "...";
    }
}
