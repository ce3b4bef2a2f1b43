package org.asyncprimer.chat;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.app.AsyncResponse;
import org.asyncprimer.app.Next;
import org.asyncprimer.app.Outcome;
import org.asyncprimer.metrics.ChatMeters;

/**
 * A room as Server-Sent Events: each message as {@code id: <id>}, {@code event: message}, {@code data: <json>},
 * the gap marker as {@code event: gap}, and a {@code : ping} comment when the stream has been quiet for a
 * heartbeat, so that proxies keep an idle stream open and a vanished client is found. A stream that is written to
 * more often than every half heartbeat gets no pings: its events do both jobs, and a ping for each of 10 000 busy streams every
 * heartbeat is 10 000 writes more (issue #11: they fell among the first messages' deliveries). An
 * {@code EventSource} that reconnects sends the last id it got as {@code Last-Event-ID} and resumes right after
 * it.
 *
 * <pre>curl -N -H 'Accept: text/event-stream' 'http://localhost:8080/chat/lobby?since=0-0'</pre>
 *
 * <p>A client that does not keep up is ended, as issue #11 asks: when its bounded outbox is full the stream
 * completes, and the client resumes from the last id it got, so nothing is lost while the room's history still
 * holds it. Publishers never wait, and a slow client costs at most its outbox. While the stream catches up on
 * the history (until the broker first reports it caught up) a full outbox only pauses delivery instead: the
 * backlog already waits in the history, and ending a client for a backlog larger than its outbox would only
 * send it round again.
 *
 * <p>A stream ends itself after its lifetime ({@code asyncprimer.chat.streamLifetimeMs}, default ten minutes,
 * counted from the request), between two events, as cleanly as any other end; the client resumes with
 * Last-Event-ID. Events still waiting in the outbox were never written, so the resumed stream reads them from the
 * history. Each stream ends up to a tenth of its lifetime early, at random: streams that opened together (everyone
 * back after a restart) must not all end, and come back, in the same instant. The container's async timeout (the
 * lifetime plus the margin) is only the backstop.
 */
final class ChatStream extends AsyncResponse implements Subscriber, Runnable {

    /** The first bytes, written at once: an EventSource fires {@code open} only when the headers arrive. */
    private static final byte[] PREAMBLE = ascii("retry: 1000\n\n");
    private static final byte[] PING = ascii(": ping\n\n");

    private final Outbox<byte[]> outbox;
    private final Duration heartbeat;
    /** When this stream ends itself (System.nanoTime()): see the class comment. */
    private final long endsAtNanos;

    // Changed by the subscriber callbacks, which the broker never runs two at a time.
    private volatile boolean catchingUp = true;
    private volatile boolean closed;
    private volatile Throwable refused;
    /** Delivery refused while catching up; written() resumes it when there is room. */
    private volatile boolean paused;

    // Changed in the drain, or by the timer that then drains.
    private volatile boolean preambleDue = true;
    private volatile boolean written;
    private volatile boolean pingDue;
    private volatile Subscription subscription;
    /** The heartbeat's tick, every half heartbeat from started() to stopped(): see {@link #run()}. */
    private volatile ScheduledFuture<?> pinger;
    /** Nothing written since the last tick (the tick sets it, every write clears it). */
    private volatile boolean quiet;

    // Set by the lifetime timer, which then drains; the timer is set once, in started().
    private volatile boolean expired;
    private volatile ScheduledFuture<?> lifetimeTimer;

    ChatStream(AsyncContext async, Shared shared, Outbox.Bounds bounds, Duration heartbeat, Duration lifetime,
               ChatMeters.Delivery delivery) {
        super(async, shared);
        this.outbox = new Outbox<>(bounds, delivery);
        this.heartbeat = heartbeat;
        long nanos = lifetime.toNanos();
        this.endsAtNanos = System.nanoTime() + nanos - ThreadLocalRandom.current().nextLong(nanos / 10 + 1);
    }

    /** Fixes the position now, as the request arrives; delivery starts once the response can be written. */
    void start(Broker broker, String room, MessageId since) throws IOException {
        subscription = broker.subscribe(room, since, this);
        begin();
    }

    // ---- the broker's side (a publisher's thread, the broker's fan-out thread, or ours in resume()) ----

    @Override
    public boolean onGap(MessageId oldest) {
        return offer(event(null, "gap", ChatJson.gap(oldest).getBytes(StandardCharsets.UTF_8)), null);
    }

    @Override
    public boolean onMessage(Message message) {
        return offer(message.sseEvent(), message.at()); // built once per message, shared by every stream
    }

    /**
     * Queues the event; it is written in {@link #onDelivered()}, with the others of the same run of delivery, in one
     * flush. A long run is written as it goes, once the outbox is half full: a full one must mean a client that does
     * not keep up, not a run that was not written yet.
     */
    private boolean offer(byte[] event, Instant publishedAt) {
        if (outbox.offer(event, event.length, publishedAt)) {
            if (outbox.halfFull()) {
                drain();
            }
            return true;
        }
        drain();
        if (outbox.offer(event, event.length, publishedAt)) {
            return true; // the outbox was only waiting for the end of the run
        }
        if (!catchingUp) {
            // A live client that does not keep up resumes with Last-Event-ID, from the history.
            finishAs(Outcome.OVERFLOW);
            return false;
        }
        paused = true;
        // The drain may have emptied the outbox before it could see the flag: look again, as /fetch's queue does.
        if (outbox.offer(event, event.length, publishedAt)) {
            drain();
            return true;
        }
        return false;
    }

    @Override
    public void onCaughtUp() {
        catchingUp = false; // live from here: a full outbox now means a client that does not keep up
    }

    /** The broker's run of delivery is over: write what it queued, together. */
    @Override
    public void onDelivered() {
        drain();
    }

    @Override
    public void onClosed(Throwable cause) {
        refused = cause;
        closed = true;
        drain();
    }

    /**
     * The heartbeat's tick, every half heartbeat: a ping is due when nothing was written since the tick before, so a
     * quiet stream gets one every heartbeat (the ping counts as a write) and is never silent for much longer than
     * one, while a busy one gets none and costs no timer per event. A write that races with the tick only makes
     * the next ping come half a heartbeat early.
     */
    @Override
    public void run() {
        if (quiet) {
            pingDue = true;
            drain();
        } else {
            quiet = true;
        }
    }

    /** The lifetime timer: the stream ends at the next turn of the drain, between two events. */
    private void expire() {
        expired = true;
        drain();
    }

    // ---- the lifecycle's side, all in the drain ----

    @Override
    protected void started() {
        lifetimeTimer = scheduler().schedule(this::expire, Math.max(0, endsAtNanos - System.nanoTime()),
                TimeUnit.NANOSECONDS);
        long tick = Math.max(1, heartbeat.toNanos() / 2);
        pinger = scheduler().scheduleWithFixedDelay(this, tick, tick, TimeUnit.NANOSECONDS);
        subscription.resume();
    }

    @Override
    protected Next next() {
        if (closed && !written) {
            // Refused before anything was sent (too many rooms): an EventSource gives up on a 503, the page retries.
            Throwable why = refused;
            return why != null ? Next.refuse(HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    Broker.Unavailable.line(why), Broker.Unavailable.RETRY_AFTER_SECONDS) : Next.END;
        }
        if (preambleDue) {
            return Next.write(PREAMBLE);
        }
        if (expired) {
            return Next.END; // what is still in the outbox the client reads again after its Last-Event-ID
        }
        byte[] event = outbox.peek();
        if (event != null) {
            return Next.write(event);
        }
        if (closed) {
            return Next.END;
        }
        return pingDue ? Next.write(PING) : Next.WAIT;
    }

    @Override
    protected void written(byte[] chunk) {
        written = true;
        quiet = false;
        if (chunk == PREAMBLE) {
            preambleDue = false;
        } else if (chunk == PING) {
            pingDue = false;
        } else {
            outbox.poll(); // the event next() peeked at: the drain is the only consumer
            if (paused) {
                paused = false;
                subscription.resume(); // there is room again; a resume that races with a refusal is not lost
            }
        }
    }

    @Override
    protected void stopped() {
        cancel(lifetimeTimer);
        cancel(pinger);
        Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
        outbox.clear();
    }

    long queuedBytes() {
        return outbox.bytes();
    }

    /** One event; no {@code id:} line for the gap marker, so that Last-Event-ID stays the last message's. */
    static byte[] event(String id, String name, byte[] json) {
        byte[] head = ascii((id == null ? "" : "id: " + id + "\n") + "event: " + name + "\ndata: ");
        byte[] event = new byte[head.length + json.length + 2];
        System.arraycopy(head, 0, event, 0, head.length);
        System.arraycopy(json, 0, event, head.length, json.length);
        event[event.length - 2] = '\n';
        event[event.length - 1] = '\n';
        return event;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
