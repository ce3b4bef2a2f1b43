package org.asyncprimer.chat;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.asyncprimer.app.OpenResponses;
import org.asyncprimer.app.Outcome;
import org.asyncprimer.metrics.ChatMeters;

/**
 * One {@code POST /chat/{room}}: reads the body without holding a thread (a {@link ReadListener}: a client that
 * sends slowly costs no thread while it dawdles, and its deadline, the timeout margin, ends it with 408), at most
 * {@link ChatInput#MAX_BODY_BYTES} of it whatever {@code Content-Length} says or when it is chunked (413), then
 * publishes and answers 201 with {@code {"id":"<id>"}}, or one line saying what was wrong.
 *
 * <pre>curl -d name=alice -d text=hi http://localhost:8080/chat/lobby</pre>
 */
final class Publish implements ReadListener, AsyncListener, OpenResponses.Open {

    /** How the body is written: {@code application/json} or {@code application/x-www-form-urlencoded}. */
    enum Form { JSON, URLENCODED }

    private final AsyncContext async;
    private final OpenResponses<Publish> registry;
    private final Broker broker;
    private final String room;
    private final Form form;
    private final ChatMeters meters;
    private final ScheduledExecutorService scheduler;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final byte[] buffer = new byte[4096];
    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile Thread answering;
    private volatile boolean released;
    private volatile ServletInputStream in;
    private volatile ScheduledFuture<?> deadline;

    Publish(AsyncContext async, OpenResponses<Publish> registry, Broker broker, String room, Form form,
            ChatMeters meters, ScheduledExecutorService scheduler) {
        this.async = async;
        this.registry = registry;
        this.broker = broker;
        this.room = room;
        this.form = form;
        this.meters = meters;
        this.scheduler = scheduler;
    }

    void start() throws IOException {
        // The body's deadline is a timer of our own: when Tomcat resets an HTTP/2 stream itself (DATA beyond the
        // stream's content-length) it tells the application nothing more, no read error and no async timeout, and a
        // publish that waited for those would stay open for good. The container's timeout stays as a backstop, well
        // after ours: both at once race (Jetty answers 500 to a timeout whose listener completed on another thread).
        // Registered before anything can release it; the timer is stored after it is scheduled, so both release()
        // and this method look for it.
        long wait = async.getTimeout();
        async.setTimeout(2 * wait);
        registry.add(this);
        async.addListener(this);
        ScheduledFuture<?> timer;
        try {
            timer = scheduler.schedule(this::timedOut, wait, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            answer(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "the chat is shutting down",
                    Integer.toString(Broker.Unavailable.RETRY_AFTER_SECONDS));
            return;
        }
        deadline = timer;
        if (answered.get()) {
            timer.cancel(false); // ended before its deadline was stored (the app stopping): release() missed it
            return;
        }
        in = async.getRequest().getInputStream();
        in.setReadListener(this); // may call onDataAvailable at once, on another thread: in is set before
    }

    /**
     * Reads while {@code isReady()} is true; when it turns false we return, and the container calls again when
     * more bytes have arrived. Never a blocking read here.
     */
    @Override
    public void onDataAvailable() throws IOException {
        while (!answered.get() && in.isReady()) {
            int n = in.read(buffer);
            if (n < 0) {
                return; // onAllDataRead follows
            }
            if (body.size() + n > ChatInput.MAX_BODY_BYTES) {
                answer(413, "body must be at most " + ChatInput.MAX_BODY_BYTES + " bytes");
                return;
            }
            body.write(buffer, 0, n);
        }
    }

    @Override
    public void onAllDataRead() {
        if (answered.get() || !deadline.cancel(false)) {
            return; // answered, or the deadline has fired and answers 408: the body came too late to publish
        }
        Draft draft;
        try {
            draft = draft();
        } catch (ChatInput.Invalid invalid) {
            answer(HttpServletResponse.SC_BAD_REQUEST, invalid.getMessage());
            return;
        }
        broker.publish(room, draft).whenComplete((message, failure) -> {
            if (failure == null) {
                meters.published(); // stored, whether or not its publisher is still there for the answer
                created(message);
                return;
            }
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            if (cause instanceof Broker.Unavailable unavailable) {
                answer(HttpServletResponse.SC_SERVICE_UNAVAILABLE, unavailable.getMessage(),
                        Integer.toString(Broker.Unavailable.RETRY_AFTER_SECONDS));
            } else {
                answer(HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "not published: " + cause);
            }
        });
    }

    private Draft draft() throws ChatInput.Invalid {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new ChatInput.Invalid("body is not valid UTF-8");
        }
        return form == Form.JSON ? ChatInput.json(text) : ChatInput.form(fields(text));
    }

    /** {@code name=alice&text=hi}, as a browser's form or {@code curl -d} sends it. */
    private static Map<String, String[]> fields(String body) throws ChatInput.Invalid {
        Map<String, String[]> fields = new HashMap<>();
        try {
            for (String pair : body.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                fields.putIfAbsent(key, new String[] {value}); // the first of repeated fields, as getParameter does
            }
        } catch (IllegalArgumentException badEscape) {
            throw new ChatInput.Invalid("body is not valid form data (a % not followed by two hex digits)");
        }
        return fields;
    }

    /** The body could not be read: the client is gone, or sent a malformed chunk. */
    @Override
    public void onError(Throwable failure) {
        containerEnds(() -> answer(HttpServletResponse.SC_BAD_REQUEST, "body could not be read"));
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        containerEnds(this::timedOut);
    }

    private void timedOut() {
        answer(HttpServletResponse.SC_REQUEST_TIMEOUT, "body did not arrive in time");
    }

    @Override
    public void onError(AsyncEvent event) {
        containerEnds(() -> end(Outcome.CLIENT_GONE));
    }

    @Override
    public void onComplete(AsyncEvent event) {
        containerEnds(() -> end(Outcome.CLIENT_GONE)); // the container completed the request itself: only leave the registry
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Not restarted: one AsyncContext per publish.
    }

    /** Ends without an answer: the app stops. */
    @Override
    public void finish() {
        end(Outcome.SHUTDOWN);
    }

    /** Ends without an answer (the app stops, or the container ended the request). */
    private void end(Outcome why) {
        if (claim()) {
            release(why);
        }
    }

    private void created(Message message) {
        if (!claim()) {
            return;
        }
        try {
            HttpServletResponse response = (HttpServletResponse) async.getResponse();
            response.setStatus(HttpServletResponse.SC_CREATED);
            response.setContentType("application/json");
            response.getOutputStream().write(ChatJson.created(message.id()).getBytes(StandardCharsets.UTF_8));
        } catch (IOException | IllegalStateException gone) {
            // The client left before its answer: the message is published all the same.
        } finally {
            release(Outcome.COMPLETED);
        }
    }

    /** One line, once, whoever gets here first (the reader, the publish's completion, the timeout). */
    private void answer(int status, String line) {
        answer(status, line, null);
    }

    private void answer(int status, String line, String retryAfter) {
        if (!claim()) {
            return;
        }
        try {
            HttpServletResponse response = (HttpServletResponse) async.getResponse();
            if (retryAfter != null) {
                response.setHeader("Retry-After", retryAfter);
            }
            if (status == HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE
                    || status == HttpServletResponse.SC_REQUEST_TIMEOUT) {
                // The rest of the body is not wanted: close rather than read it to reuse the connection.
                response.setHeader("Connection", "close");
            }
            ChatServlet.line(response, status, line);
        } catch (IOException | IllegalStateException gone) {
            // The client is gone, or the container ended the request: nothing to answer.
        } finally {
            release(status == HttpServletResponse.SC_REQUEST_TIMEOUT ? Outcome.TIMEOUT
                    : status == HttpServletResponse.SC_INTERNAL_SERVER_ERROR ? Outcome.ERROR : Outcome.COMPLETED);
        }
    }

    /** The right to answer and complete, once; the thread that has it is known until it lets go. */
    private boolean claim() {
        if (!answered.compareAndSet(false, true)) {
            return false;
        }
        answering = Thread.currentThread();
        return true;
    }

    private void release(Outcome why) {
        try {
            ScheduledFuture<?> timer = deadline;
            if (timer != null) { // null: ended before start() stored it, which then cancels it
                timer.cancel(false);
            }
            registry.remove(this, why);
            async.complete();
        } catch (IllegalStateException alreadyEnded) {
            // The container ended the request first (onComplete, or a timeout or error it completes itself).
        } finally {
            answering = null;
            released = true;
        }
    }

    /**
     * The container recycles the response once its callback returns (see AsyncResponse#containerEnds): if another
     * thread is answering (a broker that completes a publish on a thread of its own), wait until it has let go.
     */
    private void containerEnds(Runnable end) {
        end.run();
        Thread self = Thread.currentThread();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!released && answering != self && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
    }
}
