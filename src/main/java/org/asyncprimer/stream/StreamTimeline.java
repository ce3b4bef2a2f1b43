package org.asyncprimer.stream;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.asyncprimer.app.OpenResponses;

/**
 * One /stream response from START to END: the whole asynchronous lifecycle of a request in one object.
 *
 * <p>Between chunks no thread belongs to this response: it is one task in the shared scheduler's queue.
 * Exactly one party drives the writes at any time: the container (through {@link #onWritePossible}, after
 * {@code isReady()} returned false) or the timer (through {@link #run}); never both, so no lock is needed.
 * Every way out (END written, timeout, error, client gone, shutdown) ends in {@link #finish}.
 */
final class StreamTimeline implements AsyncListener, WriteListener, Runnable, OpenResponses.Open {

    private final AsyncContext async;
    private final StreamFormat format;
    private final StreamTimings timings;
    private final ScheduledExecutorService scheduler;
    private final OpenResponses registry;
    private final AtomicBoolean finished = new AtomicBoolean();

    private ServletOutputStream out;
    private volatile int next;
    private volatile boolean due = true;
    private volatile boolean unflushed;
    private volatile ScheduledFuture<?> timer;

    StreamTimeline(AsyncContext async, StreamFormat format, StreamTimings timings,
                   ScheduledExecutorService scheduler, OpenResponses registry) {
        this.async = async;
        this.format = format;
        this.timings = timings;
        this.scheduler = scheduler;
        this.registry = registry;
    }

    void start() throws IOException {
        registry.add(this);
        async.addListener(this);
        out = async.getResponse().getOutputStream();
        out.setWriteListener(this); // the container calls onWritePossible once the response can be written
    }

    @Override
    public void onWritePossible() {
        advance();
    }

    /** The timer: the next chunk is due. */
    @Override
    public void run() {
        due = true;
        advance();
    }

    /**
     * Writes and flushes whatever is due while the container says it can take it. When {@code isReady()} turns
     * false we return at once: the container calls {@link #onWritePossible} when the bytes have gone out.
     */
    private void advance() {
        if (finished.get()) {
            return;
        }
        try {
            while (out.isReady()) {
                if (unflushed) {
                    unflushed = false;
                    out.flush();
                } else if (next == format.size()) {
                    finish();
                    return;
                } else if (due) {
                    due = false;
                    unflushed = true;
                    out.write(format.chunk(next++));
                } else {
                    schedule();
                    return;
                }
            }
        } catch (IOException | IllegalStateException clientGoneOrContextEnded) {
            finish();
        }
    }

    private void schedule() {
        timer = scheduler.schedule(this, timings.before(next).toNanos(), TimeUnit.NANOSECONDS);
        if (finished.get()) {
            timer.cancel(false); // finish() ran meanwhile and may have missed this timer
        }
    }

    /** Ends the response: idempotent, from any thread. */
    @Override
    public void finish() {
        if (release()) {
            try {
                async.complete();
            } catch (IllegalStateException alreadyEnded) {
                // The container ended the request first (a timeout or error dispatch): nothing left to do.
            }
        }
    }

    /** Cancels the timer and leaves the open set; true only for the first caller. */
    private boolean release() {
        if (finished.getAndSet(true)) {
            return false;
        }
        ScheduledFuture<?> pending = timer;
        if (pending != null) {
            pending.cancel(false);
        }
        registry.remove(this);
        return true;
    }

    @Override
    public void onComplete(AsyncEvent event) {
        release();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        finish();
    }

    @Override
    public void onError(AsyncEvent event) {
        finish();
    }

    @Override
    public void onError(Throwable failure) {
        finish();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Not restarted: one AsyncContext per response.
    }
}
