package org.asyncprimer.fetch;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.asyncprimer.app.AsyncResponse;
import org.asyncprimer.app.OpenResponses;

/**
 * The seed's {@code gevent.queue.Queue} returned as a response body: a bounded {@link BlockingQueue} that a
 * {@link Worker} fills and non-blocking output drains. A chunk is written and flushed as soon as it is queued
 * and the client can take it; the response completes at the end marker.
 *
 * <p>No thread ever waits here: nothing calls {@code take()}. The worker's {@link #offer} drives the next write
 * when the client is keeping up; {@link #onWritePossible} drives it when the client was behind. Both go
 * through {@link #drain()}, which lets exactly one thread write at a time without a lock.
 *
 * <p>Backpressure: when the client reads slower than the worker produces, the queue fills to its bound,
 * {@link #offer} refuses the chunk, and the worker pauses (no timer, no thread) until the drain has made room
 * and calls {@link Worker#resume()}. Pausing the producer rather than dropping chunks keeps every line, and
 * memory per response stays at most {@code capacity} chunks whatever the client does; a client that never
 * reads is ended by the async timeout.
 */
final class QueueBody extends AsyncResponse {

    /** The end marker, the seed's {@code StopIteration}: compared by identity. */
    private static final byte[] END = new byte[0];

    private final HttpServletResponse response;
    private final int capacity;
    private final BlockingQueue<byte[]> queue;
    private final Duration longPoll;
    private final ScheduledExecutorService scheduler;

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean paused = new AtomicBoolean();
    private final AtomicInteger drainers = new AtomicInteger();

    private volatile Worker worker;
    private volatile boolean written;
    private volatile boolean longPollOver;
    private volatile Throwable failure;
    private volatile ScheduledFuture<?> longPollTimer;

    QueueBody(AsyncContext async, int capacity, Duration longPoll, ScheduledExecutorService scheduler,
              OpenResponses registry) {
        super(async, registry);
        this.response = (HttpServletResponse) async.getResponse();
        this.capacity = capacity;
        // One slot more than data may use, so the end marker always fits (there is one producer).
        this.queue = new ArrayBlockingQueue<>(capacity + 1);
        this.longPoll = longPoll;
        this.scheduler = scheduler;
    }

    /** Takes over the response; the worker is started once the response can be written. */
    void start(Worker producer) throws IOException {
        this.worker = producer;
        begin();
    }

    // ---- the worker's side: on_data, on_finish, on_error ----

    /** Queues a chunk and writes it if the client can take it; false (chunk not taken) when the queue is full. */
    boolean offer(byte[] chunk) {
        if (finished()) {
            return true; // nobody is listening any more; the worker is being cancelled
        }
        if (queue.size() >= capacity) {
            paused.set(true);
            // The drain may have made room between the check and the flag without seeing the flag: look again.
            if (queue.size() >= capacity || !paused.compareAndSet(true, false)) {
                return false;
            }
        }
        queue.add(chunk);
        drain();
        return true;
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

    // ---- the container's side ----

    @Override
    public void onWritePossible() {
        if (started.compareAndSet(false, true)) {
            longPollTimer = scheduler.schedule(this::longPollOver, longPoll.toNanos(), TimeUnit.NANOSECONDS);
            worker.start();
        }
        drain();
    }

    private void longPollOver() {
        longPollOver = true;
        drain();
    }

    /** Lets one thread at a time write; a caller that finds another draining leaves the work to it. */
    private void drain() {
        if (drainers.getAndIncrement() != 0) {
            return;
        }
        do {
            writeWhileReady();
        } while (drainers.decrementAndGet() != 0);
    }

    @Override
    protected byte[] nextChunk() {
        byte[] chunk = queue.poll();
        if (chunk == null) {
            if (longPollOver && !written) {
                response.setStatus(HttpServletResponse.SC_NO_CONTENT); // nothing yet: the client polls again
                finish();
            }
            return null;
        }
        if (paused.compareAndSet(true, false)) {
            worker.resume(); // the poll made room
        }
        if (chunk == END) {
            if (failure != null && !written) {
                response.setStatus(HttpServletResponse.SC_BAD_GATEWAY);
            }
            finish();
            return null;
        }
        if (!written) {
            written = true;
            cancel(longPollTimer);
        }
        return chunk;
    }

    @Override
    protected void stopped() {
        worker.cancel();
        cancel(longPollTimer);
        queue.clear();
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    @Override
    public int queued() {
        return queue.size();
    }

    @Override
    public boolean paused() {
        return paused.get();
    }
}
