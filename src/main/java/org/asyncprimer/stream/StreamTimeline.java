package org.asyncprimer.stream;

import jakarta.servlet.AsyncContext;
import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.app.AsyncResponse;
import org.asyncprimer.app.OpenResponses;

/**
 * One /stream response from START to END: the whole asynchronous lifecycle of a request in one object.
 *
 * <p>Between chunks no thread belongs to this response: it is one task in the shared scheduler's queue.
 * Exactly one party drives the writes at any time: the container (through {@link #onWritePossible}, after
 * {@code isReady()} returned false) or the timer (through {@link #run}); never both, so no lock is needed.
 * Every way out (END written, timeout, error, client gone, shutdown) ends in {@link #finish}.
 * The timeline is a {@code Runnable}: the one scheduled task it has at a time is itself.
 */
final class StreamTimeline extends AsyncResponse implements Runnable {

    private final StreamFormat format;
    private final StreamTimings timings;
    private final ScheduledExecutorService scheduler;

    private volatile int next;
    private volatile boolean due = true;
    private volatile ScheduledFuture<?> timer;

    StreamTimeline(AsyncContext async, StreamFormat format, StreamTimings timings,
                   ScheduledExecutorService scheduler, OpenResponses registry) {
        super(async, registry);
        this.format = format;
        this.timings = timings;
        this.scheduler = scheduler;
    }

    void start() throws IOException {
        begin();
    }

    @Override
    public void onWritePossible() {
        writeWhileReady();
    }

    /** The timer: the next chunk is due. */
    @Override
    public void run() {
        due = true;
        writeWhileReady();
    }

    @Override
    protected byte[] nextChunk() {
        if (next == format.size()) {
            finish(); // END is out
            return null;
        }
        if (!due) {
            schedule();
            return null;
        }
        due = false;
        return format.chunk(next++);
    }

    private void schedule() {
        timer = scheduler.schedule(this, timings.before(next).toNanos(), TimeUnit.NANOSECONDS);
        if (finished()) {
            timer.cancel(false); // finish() ran meanwhile and may have missed this timer
        }
    }

    @Override
    protected void stopped() {
        ScheduledFuture<?> pending = timer;
        if (pending != null) {
            pending.cancel(false);
        }
    }
}
