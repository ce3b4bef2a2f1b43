package org.asyncprimer.chat;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.asyncprimer.app.Accept;
import org.asyncprimer.app.App;
import org.asyncprimer.app.AsyncResponse;
import org.asyncprimer.app.ContextParams;
import org.asyncprimer.app.NoBuffering;
import org.asyncprimer.app.OpenResponses;
import org.asyncprimer.app.QueryParams;
import org.asyncprimer.metrics.ChatMeters;
import org.asyncprimer.websocket.OriginCheck;

/**
 * The chat of issue #11 over HTTP: {@code POST /chat/{room}} publishes, {@code GET /chat/{room}} long-polls
 * (NDJSON) or, with {@code Accept: text/event-stream}, streams Server-Sent Events. It also starts the chat: the
 * broker (which the application closes at shutdown, before its scheduler stops) and {@link ChatSocket}.
 *
 * <pre>
 * curl -d name=alice -d text=hi http://localhost:8080/chat/lobby
 * curl -N 'http://localhost:8080/chat/lobby?since=0-0'
 * </pre>
 */
// Loaded at startup: the broker and the socket endpoint exist before the first request, /status lists the chat's
// fields from the first moment, and a bad context parameter fails the deployment.
@WebServlet(urlPatterns = "/chat/*", asyncSupported = true, loadOnStartup = 3)
public final class ChatServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final String ALLOW = "GET, HEAD, POST, OPTIONS";
    private static final String SOCKET_SUFFIX = "/socket";
    /** Context parameter: messages a stream or socket may hold for a slow client (default 128, 1..65536). */
    static final String QUEUE_ITEMS = "asyncprimer.chat.queueItems";
    /**
     * Context parameter: bytes a stream or socket may hold for a slow client, and the most bytes of messages one
     * long-poll answers with (default 262144, 1..16777216).
     */
    static final String QUEUE_BYTES = "asyncprimer.chat.queueBytes";
    /**
     * Context parameter: an event stream ends itself after this long, and the EventSource reconnects with
     * Last-Event-ID and goes on where it was (default 600000 = ten minutes, 1000..86400000).
     */
    static final String STREAM_LIFETIME_MS = "asyncprimer.chat.streamLifetimeMs";

    /** The broker (and the sockets' closer) as /status sees it: one "open" thing whose finish closes the broker. */
    record BrokerGauges(Broker broker, SessionCloser closer) implements OpenResponses.Open {
        @Override
        public void finish() {
            broker.close();
        }
    }

    private transient App app;
    private transient Broker broker;
    private transient AsyncResponse.Shared polls;
    private transient AsyncResponse.Shared streams;
    private transient OpenResponses<Publish> publishes;
    private transient ChatMeters meters;
    private transient SessionCloser closer;
    private Outbox.Bounds bounds;
    private Duration heartbeat;
    private Duration streamLifetime;

    @Override
    public void init() throws ServletException {
        ServletContext context = getServletContext();
        app = App.from(context);
        bounds = new Outbox.Bounds(ContextParams.intParam(context, QUEUE_ITEMS, 128, 1, 65_536),
                ContextParams.intParam(context, QUEUE_BYTES, 262_144, 1, 16_777_216));
        heartbeat = ChatSettings.from(context).heartbeat();
        streamLifetime = Duration.ofMillis(ContextParams.intParam(context, STREAM_LIFETIME_MS, 600_000, 1000,
                86_400_000));
        broker = Brokers.create(context, app.scheduler());
        closer = new SessionCloser();
        meters = new ChatMeters(app.meters());
        // 1 while the broker reaches its storage (the in-memory one always does), read at each scrape; tagged
        // memory or redis, after the broker's class.
        meters.brokerConnected(broker.getClass().getSimpleName().replace("Broker", "").toLowerCase(Locale.ROOT),
                broker::connected);
        // Registered at once: App.shutdown finishes it, which closes the broker before the scheduler stops.
        app.register(new OpenResponses<>("chatBrokers", "chat-broker", BrokerGauges.class)
                .gauge("chatRooms", b -> b.broker().counts().rooms())
                .gauge("chatMessages", b -> b.broker().counts().messages())
                .gauge("chatBytes", b -> b.broker().counts().bytes())
                .gauge("chatSubscribers", b -> b.broker().counts().subscribers())
                // 1 while the broker reaches its storage (always, in memory); 0 while Redis is away.
                .gauge("chatBrokerConnected", b -> b.broker().connected() ? 1 : 0)
                // Sockets that left the chat and whose close frame waits for the closer thread.
                .gauge("chatSocketsClosing", b -> b.closer().pending()))
                .add(new BrokerGauges(broker, closer));
        polls = app.shared(app.register(new OpenResponses<>("openChatPolls", "chat-longpoll", ChatPoll.class)));
        streams = app.shared(app.register(new OpenResponses<>("openChatStreams", "chat-sse", ChatStream.class)
                .gauge("queuedChatStreamBytes", ChatStream::queuedBytes)));
        OpenResponses<ChatSocket> sockets = app.register(new OpenResponses<>("openChatSockets", "chat-websocket",
                ChatSocket.class)
                .gauge("queuedChatSocketBytes", ChatSocket::queuedBytes));
        publishes = app.register(new OpenResponses<>("openChatPublishes", "chat-publish", Publish.class));

        ServerContainer container = (ServerContainer) context.getAttribute(ServerContainer.class.getName());
        if (container == null) {
            closer.stop(); // no destroy() follows a failed init()
            throw new ServletException("this container offers no WebSocket support for " + ChatSocket.PATH);
        }
        try {
            container.addEndpoint(ChatSocket.config(new ChatSocket.Shared(broker, sockets, bounds,
                    meters.delivery(ChatMeters.Transport.WEBSOCKET), closer)));
        } catch (DeploymentException | RuntimeException e) {
            closer.stop(); // no destroy() follows a failed init()
            throw new ServletException("cannot deploy " + ChatSocket.PATH, e);
        }
    }

    /**
     * Stops the closer's thread, after the closes handed to it. The application's shutdown, which comes after this,
     * closes the sessions still open on its own thread.
     */
    @Override
    public void destroy() {
        if (closer != null) {
            closer.stop();
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        switch (request.getMethod()) {
            case "GET", "HEAD", "POST" -> super.service(request, response);
            case "OPTIONS" -> response.setHeader("Allow", ALLOW);
            default -> {
                response.setHeader("Allow", ALLOW);
                line(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, request.getMethod() + " is not allowed here");
            }
        }
    }

    /** A long-poll, or a stream of Server-Sent Events for a client that asks for {@code text/event-stream}. */
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<String> room = room(request, response);
        if (room.isEmpty()) {
            return;
        }
        if (wantsEvents(request)) {
            Optional<ChatQuery> query = QueryParams.reader(ChatQuery::forStream).readOr400(request, response);
            if (query.isPresent()) {
                headers(request, response);
                // The stream ends itself after its lifetime; the async timeout (plus the margin) is the backstop.
                AsyncContext async = app.startAsync(request, streamLifetime);
                new ChatStream(async, streams, bounds, heartbeat, streamLifetime,
                        meters.delivery(ChatMeters.Transport.SSE)).start(broker, room.get(), query.get().since());
            }
        } else {
            Optional<ChatQuery> query = QueryParams.reader(ChatQuery::forPoll).readOr400(request, response);
            if (query.isPresent()) {
                headers(request, response);
                AsyncContext async = app.startAsync(request, query.get().timeout());
                new ChatPoll(async, polls, query.get(), bounds.bytes(),
                        meters.delivery(ChatMeters.Transport.LONG_POLL))
                        .start(broker, room.get());
            }
        }
    }

    /** HEAD answers at once with GET's headers, or GET's 400 for the same bad room or query. */
    @Override
    protected void doHead(HttpServletRequest request, HttpServletResponse response) throws IOException {
        QueryParams.Reader<ChatQuery> query = wantsEvents(request) ? ChatQuery::forStream : ChatQuery::forPoll;
        if (room(request, response).isPresent() && query.readOr400(request, response).isPresent()) {
            headers(request, response);
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<String> room = room(request, response);
        if (room.isEmpty()) {
            return;
        }
        if (!OriginCheck.allows(request)) {
            line(response, HttpServletResponse.SC_FORBIDDEN, "origin " + request.getHeader("Origin")
                    + " may not publish here");
            return;
        }
        Publish.Form form = form(request.getContentType());
        if (form == null) {
            line(response, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type must be application/json or application/x-www-form-urlencoded");
            return;
        }
        if (request.getContentLengthLong() > ChatInput.MAX_BODY_BYTES) {
            response.setHeader("Connection", "close"); // the body is not wanted: do not read it to reuse the connection
            line(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
                    "body must be at most " + ChatInput.MAX_BODY_BYTES + " bytes");
            return;
        }
        // Nothing is planned to take time: the body has the timeout margin to arrive, then it is answered 408.
        AsyncContext async = app.startAsync(request, Duration.ZERO);
        new Publish(async, publishes, broker, room.get(), form, meters, app.scheduler()).start();
    }

    /** The room named by the path, or empty after answering 400 (also for a socket's path without an upgrade). */
    private static Optional<String> room(HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        String path = request.getPathInfo() == null ? "" : request.getPathInfo().substring(1);
        if (path.endsWith(SOCKET_SUFFIX) && path.indexOf('/') == path.length() - SOCKET_SUFFIX.length()) {
            line(response, HttpServletResponse.SC_BAD_REQUEST, "Expected WebSocket request.");
            return Optional.empty();
        }
        try {
            return Optional.of(ChatInput.room(path));
        } catch (ChatInput.Invalid invalid) {
            line(response, HttpServletResponse.SC_BAD_REQUEST, invalid.getMessage());
            return Optional.empty();
        }
    }

    private static boolean wantsEvents(HttpServletRequest request) {
        return Accept.prefers(Accept.header(request), "text/event-stream", "application/x-ndjson");
    }

    private static void headers(HttpServletRequest request, HttpServletResponse response) {
        response.setContentType(wantsEvents(request) ? "text/event-stream;charset=UTF-8"
                : "application/x-ndjson;charset=UTF-8");
        NoBuffering.apply(response);
    }

    private static Publish.Form form(String contentType) {
        if (contentType == null) {
            return null;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return switch (type) {
            case "application/json" -> Publish.Form.JSON;
            case "application/x-www-form-urlencoded" -> Publish.Form.URLENCODED;
            default -> null;
        };
    }

    /** Answers {@code status} with one line of plain text: every refusal here says what was wrong. */
    static void line(HttpServletResponse response, int status, String text) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().println(text);
    }
}
