package org.asyncprimer.stream;

import io.micrometer.core.instrument.Timer;
import jakarta.servlet.AsyncContext;
import java.io.IOException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.app.AsyncResponse;
import org.asyncprimer.app.Next;

/**
 * One /stream response from START to END: the whole asynchronous lifecycle of a request in one object.
 *
 * <p>Between chunks no thread belongs to this response: it is one task in the shared scheduler's queue, and the
 * timeline is that task ({@code Runnable}). Writing a chunk schedules the timer for the next one; the timer only
 * marks it due and drains. Every write, and the timer's handle, are touched in the drain only, one thread at a
 * time, so a timer that fires before {@code schedule()} has returned (a delay of 0) cannot leave an older handle
 * behind in {@link #timer}: {@link #stopped()} always finds the live one.
 */
final class StreamTimeline extends AsyncResponse implements Runnable {

    private final StreamFormat format;
    private final StreamTimings timings;
    private final Timer lateness;
    /** When the request came in: MIDDLE is due {@code first} after it, END {@code first + second} after it. */
    private final long startNanos = System.nanoTime();

    private volatile int next;
    private volatile boolean due = true;
    private volatile ScheduledFuture<?> timer;

    StreamTimeline(AsyncContext async, Shared shared, StreamFormat format, StreamTimings timings, Timer lateness) {
        super(async, shared);
        this.format = format;
        this.timings = timings;
        this.lateness = lateness;
    }

    void start() throws IOException {
        begin();
    }

    /** The timer: the next chunk is due. */
    @Override
    public void run() {
        due = true;
        drain();
    }

    @Override
    protected Next next() {
        if (next == format.size()) {
            return Next.END; // END is out
        }
        return due ? Next.write(format.chunk(next)) : Next.WAIT;
    }

    @Override
    protected void written(byte[] chunk) {
        if (next > 0) {
            long late = System.nanoTime() - startNanos - timings.dueAfter(next).toNanos();
            lateness.record(Math.max(0, late), TimeUnit.NANOSECONDS);
        }
        due = false;
        next++;
        if (next < format.size()) {
            timer = scheduler().schedule(this, timings.before(next).toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    protected void stopped() {
        cancel(timer);
    }
}
