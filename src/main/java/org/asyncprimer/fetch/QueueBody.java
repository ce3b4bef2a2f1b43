package org.asyncprimer.fetch;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.asyncprimer.app.AsyncResponse;
import org.asyncprimer.app.Next;

/**
 * The seed's {@code gevent.queue.Queue} returned as a response body: a bounded {@link BlockingQueue} that a
 * {@link Worker} fills and non-blocking output drains. A chunk is written and flushed as soon as it is queued
 * and the client can take it; the response completes at the end marker.
 *
 * <p>No thread ever waits here: nothing calls {@code take()}. The worker's {@link #offer} queues a chunk and
 * drains; so does the container when the client can take more. The drain only peeks at the queue's head
 * ({@link #next()}); the chunk leaves the queue once it is written ({@link #written}).
 *
 * <p>Backpressure: when the client reads slower than the worker produces, the queue fills to its bound (in
 * chunks and in bytes), {@link #offer} refuses the chunk, and the worker pauses (no timer, no thread) until a
 * written chunk has made room and {@link Worker#resume()} is called. Pausing the producer rather than dropping
 * chunks keeps every line, and memory per response stays at most its bound whatever the client does; a client
 * that takes nothing at all is ended by the stall timeout.
 */
final class QueueBody extends AsyncResponse {

    /**
     * What one response may hold for a slow client: {@code chunks} and {@code bytes}. A single chunk larger than
     * {@code bytes} still goes alone into an empty queue, so the bound is max(bytes, one chunk).
     */
    record Bounds(int chunks, int bytes) {
    }

    /** The end marker, the seed's {@code StopIteration}: compared by identity. */
    private static final byte[] END = new byte[0];

    private final Bounds bounds;
    private final BlockingQueue<byte[]> queue;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Duration longPoll;
    private final AtomicBoolean paused = new AtomicBoolean();

    private volatile Worker worker;
    private volatile boolean written;
    private volatile boolean longPollOver;
    private volatile Throwable failure;
    private volatile ScheduledFuture<?> longPollTimer;

    QueueBody(AsyncContext async, Shared shared, Bounds bounds, Duration longPoll) {
        super(async, shared);
        this.bounds = bounds;
        // One slot more than data may use, so the end marker always fits (there is one producer).
        this.queue = new ArrayBlockingQueue<>(bounds.chunks() + 1);
        this.longPoll = longPoll;
    }

    /** Takes over the response; the worker is started once the response can be written. */
    void start(Worker producer) throws IOException {
        this.worker = producer;
        begin();
    }

    // ---- the worker's side: on_data, on_finish, on_error ----

    /** Queues a chunk and writes it if the client can take it; false (chunk not taken) when there is no room. */
    boolean offer(byte[] chunk) {
        if (finished()) {
            return true; // nobody is listening any more; the worker is being cancelled
        }
        if (!fits(chunk)) {
            paused.set(true);
            // A written chunk may have made room between the check and the flag without seeing the flag: look again.
            if (!fits(chunk) || !paused.compareAndSet(true, false)) {
                return false;
            }
        }
        queuedBytes.addAndGet(chunk.length);
        queue.add(chunk);
        drain();
        return true;
    }

    /** Within both bounds, or alone: a chunk larger than the byte bound still fits into an empty queue. */
    private boolean fits(byte[] chunk) {
        return queue.isEmpty()
                || queue.size() < bounds.chunks() && queuedBytes.get() + chunk.length <= bounds.bytes();
    }

    void end() {
        if (finished()) {
            return;
        }
        queue.add(END);
        drain();
    }

    /** The worker failed: the body ends after what was produced; with nothing written yet the status is 502. */
    void fail(Throwable cause) {
        failure = cause;
        end();
    }

    // ---- the lifecycle's side, all in the drain ----

    @Override
    protected void started() {
        // Stored in the drain, where stopped() runs too: stopped() cannot miss it, even if it fires at once.
        longPollTimer = scheduler().schedule(this::longPollOver, longPoll.toNanos(), TimeUnit.NANOSECONDS);
        worker.start();
    }

    private void longPollOver() {
        longPollOver = true;
        drain();
    }

    @Override
    protected Next next() {
        byte[] chunk = queue.peek();
        if (chunk == null) {
            // Nothing yet: once the long-poll is over the client gets 204 and polls again.
            return longPollOver && !written ? Next.end(HttpServletResponse.SC_NO_CONTENT) : Next.WAIT;
        }
        if (chunk == END) {
            return failure != null && !written ? Next.end(HttpServletResponse.SC_BAD_GATEWAY) : Next.END;
        }
        return Next.write(chunk);
    }

    @Override
    protected void written(byte[] chunk) {
        queue.poll(); // the chunk next() peeked at: the drain is the only consumer
        queuedBytes.addAndGet(-chunk.length);
        if (!written) {
            written = true;
            cancel(longPollTimer);
        }
        if (paused.compareAndSet(true, false)) {
            worker.resume(); // there is room again
        }
    }

    @Override
    protected void stopped() {
        worker.cancel();
        cancel(longPollTimer);
        queue.clear();
        queuedBytes.set(0);
    }

    int queued() {
        return queue.size();
    }

    long queuedBytes() {
        return queuedBytes.get();
    }

    boolean paused() {
        return paused.get();
    }
}
