package org.asyncprimer.chat;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.app.AsyncResponse;
import org.asyncprimer.app.Next;
import org.asyncprimer.metrics.ChatMeters;

/**
 * One long-poll of a room, the seed's long-poll with a real source: the messages after {@code since} at once, one
 * JSON line each, then the end; if there are none yet, the next one as soon as it is published; 204 when none
 * has come within the timeout. The client polls again after the last id it got.
 *
 * <pre>curl -N 'http://localhost:8080/chat/lobby?since=0-0'</pre>
 *
 * <p>The subscription is the worker: the broker calls it on the thread that delivers (a publisher's, or the
 * broker's fan-out thread), it queues the line and drains; no thread waits in between. Its queue is bounded by
 * {@code limit} and by {@code maxBytes} (the chat's {@code queueBytes}, as for a stream's outbox): the message that
 * would pass either is refused, and the response ends with what it has; the first message is always taken. Without
 * the byte bound, polls that never read could each hold up to 1000 messages of escaped text (~12 MB: a control
 * character is six bytes of JSON) until the stall timeout, and a hundred of them filled the heap.
 */
final class ChatPoll extends AsyncResponse implements Subscriber {

    /** A line for the client; {@code publishedAt} is the message's, null for the gap marker. */
    private record Line(byte[] bytes, Instant publishedAt) {
    }

    private final ChatQuery query;
    private final int maxBytes;
    private final ChatMeters.Delivery delivery;
    private final Queue<Line> lines = new ConcurrentLinkedQueue<>();

    // Changed by the subscriber callbacks, which the broker never runs two at a time.
    private volatile int taken;
    private volatile long takenBytes;
    private volatile boolean full;
    private volatile boolean caughtUp;
    private volatile boolean closed;
    private volatile Throwable refused;

    // Changed in the drain, or by the timer that then drains.
    private volatile boolean written;
    private volatile boolean timedOut;
    private volatile Subscription subscription;
    private volatile ScheduledFuture<?> timer;

    ChatPoll(AsyncContext async, Shared shared, ChatQuery query, int maxBytes, ChatMeters.Delivery delivery) {
        super(async, shared);
        this.query = query;
        this.maxBytes = maxBytes;
        this.delivery = delivery;
    }

    /** Fixes the position now, as the request arrives; delivery starts once the response can be written. */
    void start(Broker broker, String room) throws IOException {
        subscription = broker.subscribe(room, query.since(), this);
        begin();
    }

    // ---- the broker's side (a publisher's thread, the broker's fan-out thread, or ours in resume()) ----

    @Override
    public boolean onGap(MessageId oldest) {
        // Not counted against limit and maxBytes: the first message after it always goes too, or a client that
        // does not move its position on a gap would be answered the gap alone, again and again.
        queue(new Line(ndjson(ChatJson.gap(oldest).getBytes(StandardCharsets.UTF_8)), null));
        return true;
    }

    @Override
    public boolean onMessage(Message message) {
        return take(new Line(message.ndjsonLine(), message.at())); // built once per message, shared by every poll
    }

    private boolean take(Line line) {
        if (taken == query.limit() || (taken > 0 && takenBytes + line.bytes().length > maxBytes)) {
            full = true; // this one waits for the next poll
            drain();
            return false;
        }
        taken++;
        takenBytes += line.bytes().length;
        queue(line);
        return true;
    }

    /** A line for the answer: not caught up while it waits to be written. */
    private void queue(Line line) {
        caughtUp = false;
        lines.add(line);
        drain();
    }

    @Override
    public void onCaughtUp() {
        caughtUp = true;
        drain();
    }

    @Override
    public void onClosed(Throwable cause) {
        refused = cause; // null: the broker is shutting down; else why it refused the room (too many rooms)
        closed = true;
        drain();
    }

    private void timeUp() {
        timedOut = true;
        drain();
    }

    // ---- the lifecycle's side, all in the drain ----

    @Override
    protected void started() {
        timer = scheduler().schedule(this::timeUp, query.timeout().toNanos(), TimeUnit.NANOSECONDS);
        subscription.resume();
    }

    @Override
    protected Next next() {
        Line line = lines.peek();
        if (line != null) {
            return Next.write(line.bytes());
        }
        if (written && (caughtUp || full || closed || timedOut)) {
            return Next.END;
        }
        if (closed) {
            return Next.refuse(HttpServletResponse.SC_SERVICE_UNAVAILABLE, Broker.Unavailable.line(refused),
                    Broker.Unavailable.RETRY_AFTER_SECONDS);
        }
        return timedOut ? Next.end(HttpServletResponse.SC_NO_CONTENT) : Next.WAIT;
    }

    @Override
    protected void written(byte[] chunk) {
        Line line = lines.poll(); // the line next() peeked at: the drain is the only consumer
        if (line.publishedAt() != null) {
            delivery.delivered(line.publishedAt());
        }
        written = true;
    }

    @Override
    protected void stopped() {
        cancel(timer);
        Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
        lines.clear();
    }

    static byte[] ndjson(byte[] json) {
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return line;
    }
}
