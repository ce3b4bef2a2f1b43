package org.asyncprimer.app;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lifecycle every asynchronous response here shares: it counts as open from {@link #begin()} until it ends,
 * it writes only while {@code isReady()}, and every way out (its end written, the async timeout, an error, the
 * client gone or stalled, shutdown) goes through one idempotent {@link #finish()}. The first way out taken is its
 * {@link Outcome}, counted per kind in {@code /metrics} as the response leaves its registry.
 *
 * <p><b>One drain, one thread at a time.</b> Every write, flush and the final {@code complete()} happen inside
 * {@link #drain()}, which any thread may call whenever something changed (a chunk arrived, a timer fired, the
 * container says the client can take more, someone wants the response ended). A thread that finds another one
 * draining only bumps a counter and returns; the draining thread goes round once more for it. So there is never a
 * write concurrent with another write or with {@code complete()}. {@link #finish()} from another thread therefore
 * only marks the end and drains: whoever drains completes.
 *
 * <p><b>The container's own ends wait for a write in progress.</b> When the container ends the request itself
 * ({@code onComplete}, {@code onTimeout}, {@code onError}) it recycles the request and response as soon as its
 * listeners return, and Tomcat hands them to the next request on the connection pool. A write still running on a
 * scheduler or broker thread at that moment would land in someone else's response (the churn test saw new
 * connections closed that way). So each turn of the drain runs under the response's own {@code turn} lock, and the
 * container's end callbacks take the same lock to end the response: they wait at most for one non-blocking write
 * to return (writes never wait for the client), and no write can start after them. Nothing else waits on it: two
 * drains never contend (the counter lets one thread drain), and no other lock is ever taken while holding it.
 *
 * <p><b>The subclass answers, the lifecycle acts.</b> Inside the drain the lifecycle asks {@link #next()}, which
 * only looks at the subclass's state and answers with a {@link Next}: a chunk to write, {@link Next#WAIT} (nothing
 * is due yet), or {@link Next#END} / {@link Next#end(int)} / {@link Next#refuse} (over, optionally with a status,
 * or a status and a line saying why, when nothing was written). The subclass changes its state in its own named
 * methods: {@link #started()} (the response can first be written: start producers, timers),
 * {@link #written(byte[])} (that chunk is out: advance, schedule the next timer) and {@link #stopped()} (on the
 * way out: cancel timers, stop producers); and, outside the drain, in its own callbacks (a timer's {@code run()},
 * a producer's {@code offer()}), which change state and then call {@link #drain()}. All hooks run inside the
 * drain, one thread at a time, so a timer handle stored in a hook is always found by {@link #stopped()}. Every
 * hook may throw: the response then ends (and the exception is logged unless it is a way out such as a scheduler
 * rejecting work after shutdown).
 *
 * <pre>{@code
 * final class Countdown extends AsyncResponse implements Runnable {
 *     private volatile int left = 3;
 *     private volatile boolean due = true;
 *     private volatile ScheduledFuture<?> timer;
 *
 *     protected Next next() {                        // a question: reads state, changes nothing
 *         if (left == 0) return Next.END;
 *         return due ? Next.write(line(left)) : Next.WAIT;
 *     }
 *     protected void written(byte[] chunk) {         // in the drain: change state, arrange the next drain
 *         left--;
 *         due = false;
 *         timer = scheduler().schedule(this, 1, SECONDS);
 *     }
 *     public void run() {                            // the timer's thread: change state, then drain
 *         due = true;
 *         drain();
 *     }
 *     protected void stopped() {
 *         cancel(timer);
 *     }
 * }
 * }</pre>
 */
public abstract class AsyncResponse implements AsyncListener, WriteListener, OpenResponses.Open {

    /** What every response of one kind is given by the application. */
    public record Shared(ScheduledExecutorService scheduler, OpenResponses<?> registry, Duration stallTimeout) {
    }

    private static final System.Logger LOG = System.getLogger(AsyncResponse.class.getName());
    private static final long NOT_STALLED = Long.MIN_VALUE;
    /** A field updater rather than an AtomicReference: no second object per held response. */
    private static final AtomicReferenceFieldUpdater<AsyncResponse, Outcome> OUTCOME =
            AtomicReferenceFieldUpdater.newUpdater(AsyncResponse.class, Outcome.class, "outcome");

    private final AsyncContext async;
    private final Shared shared;

    /** Threads that asked for a drain and whose turn has not been run yet; the first of them drains. */
    private final AtomicInteger drainers = new AtomicInteger();
    /** Held for each turn of the drain and by the container's end callbacks: see the class comment. */
    private final ReentrantLock turn = new ReentrantLock();
    private volatile boolean ending;
    /** Set once, by the first way out (see {@link #end(Outcome)}). */
    private volatile Outcome outcome;
    private volatile boolean writable;
    private volatile ServletOutputStream out;

    // Touched only under the turn lock (one thread at a time; volatile because that thread changes).
    private volatile boolean begun;
    private volatile boolean unflushed;
    /** The first chunk was flushed, and with it the headers. */
    private volatile boolean flushedOnce;
    private volatile boolean ended;
    private volatile int status;
    private volatile long stalledSince = NOT_STALLED;
    private volatile ScheduledFuture<?> stallTimer;

    protected AsyncResponse(AsyncContext async, Shared shared) {
        this.async = async;
        this.shared = shared;
    }

    /** Counts the response as open and hands it to non-blocking output: the container calls onWritePossible. */
    protected final void begin() throws IOException {
        shared.registry().add(this);
        try {
            async.addListener(this);
            out = async.getResponse().getOutputStream();
            out.setWriteListener(this); // may call onWritePossible at once, on another thread: out is set before
        } catch (IOException e) {
            finishAs(Outcome.CLIENT_GONE);
            throw e;
        } catch (RuntimeException e) {
            finishAs(Outcome.ERROR);
            throw e;
        }
    }

    protected final ScheduledExecutorService scheduler() {
        return shared.scheduler();
    }

    /** True once the end is decided (finish, the end answered, the client gone): nothing more is written. */
    protected final boolean finished() {
        return ending;
    }

    /**
     * Ends the response from outside, as the application does when it stops (counted as {@link Outcome#SHUTDOWN}
     * unless another way out came first): idempotent, from any thread.
     */
    @Override
    public final void finish() {
        finishAs(Outcome.SHUTDOWN);
    }

    /** Ends the response: idempotent, from any thread. The drain completes it, after any write in progress. */
    protected final void finishAs(Outcome why) {
        end(why);
        drain();
    }

    /** Decides the end: the first way out is the outcome; the drain acts on {@link #ending}. */
    private void end(Outcome why) {
        OUTCOME.compareAndSet(this, null, why);
        ending = true;
    }

    /**
     * Writes what is due while the client can take it, or completes the response once its end is decided. Call it
     * from any thread after changing what {@link #next()} would answer; it never blocks and never runs twice at
     * once: a caller that finds another thread draining leaves its turn to that thread.
     */
    protected final void drain() {
        if (drainers.getAndIncrement() != 0) {
            return; // the draining thread goes round once more for us
        }
        boolean clean = false;
        try {
            do {
                turn.lock();
                try {
                    step();
                } finally {
                    turn.unlock();
                }
            } while (drainers.decrementAndGet() != 0);
            clean = true;
        } finally {
            if (!clean) {
                // Only an Error or a failing stopped() gets here. Leave the counter at rest (else no thread would
                // ever drain this response again) and the response marked as ending: the next drain, at the latest
                // the async timeout's, completes it.
                end(Outcome.ERROR);
                drainers.set(0);
            }
        }
    }

    /** One turn of the drain. */
    private void step() {
        try {
            if (!ending && writable) {
                if (!begun) {
                    begun = true;
                    started();
                }
                writeWhileReady();
            }
        } catch (IOException | IllegalStateException gone) {
            // The client is gone, or the container ended the request (after the client went, or its timeout).
            end(Outcome.CLIENT_GONE);
        } catch (RejectedExecutionException stopping) {
            // The scheduler is shut down: the application stops.
            end(Outcome.SHUTDOWN);
        } catch (RuntimeException bug) {
            LOG.log(System.Logger.Level.WARNING, "ending " + getClass().getSimpleName() + " after a failure", bug);
            status = HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
            end(Outcome.ERROR);
        }
        if (ending) {
            release();
        }
    }

    /**
     * Writes while {@code isReady()} is true, and flushes once nothing more is due: chunks due together (a chat
     * stream's messages of one delivery run) leave in one write to the socket, not one each. The first chunk goes out
     * at once, alone, with the headers: the response is streamed (chunked), even when all of it would have been due
     * before the first flush (a /stream with no delays), and a client sees it begin. When {@code isReady()} turns
     * false we return at once: the container calls {@link #onWritePossible()} when the client has taken the bytes.
     * Never take() or sleep here.
     */
    private void writeWhileReady() throws IOException {
        while (!ending && ready()) {
            if (unflushed && !flushedOnce) {
                flush();
                continue;
            }
            Next next = next();
            if (next instanceof Next.Write write) {
                unflushed = true;
                out.write(write.chunk());
                written(write.chunk());
            } else if (next instanceof Next.End end) {
                status = end.status();
                if (end.line() != null) {
                    refuse(end);
                }
                end(Outcome.COMPLETED);
            } else if (unflushed) {
                flush(); // then ask again: the flush may have left the output not ready
            } else {
                return; // WAIT: the subclass drains again when something is due
            }
        }
    }

    private void flush() throws IOException {
        flushedOnce = true; // first: wrote() stays true throughout
        unflushed = false;
        out.flush();
    }

    /** A chunk was handed to the output: it may still sit unflushed in the container's buffer, not committed. */
    private boolean wrote() {
        return unflushed || flushedOnce;
    }

    /**
     * The refusal's status, headers and one line, if nothing was written yet. Called while {@code isReady()} is
     * true; the line goes into the response's buffer and complete() sends it.
     */
    private void refuse(Next.End refusal) throws IOException {
        HttpServletResponse response = (HttpServletResponse) async.getResponse();
        if (wrote() || response.isCommitted()) {
            return; // something was written already: too late for a status and a line of its own
        }
        response.setStatus(refusal.status());
        response.setContentType("text/plain;charset=UTF-8"); // not the stream's type: this is a line saying why
        if (refusal.retryAfterSeconds() > 0) {
            response.setHeader("Retry-After", Integer.toString(refusal.retryAfterSeconds()));
        }
        out.write((refusal.line() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code isReady()}, and the stall clock: output that stays not ready for the stall timeout means a client that
     * takes no bytes, and it is ended. The stall timer only drains again; this method decides, in the drain.
     */
    private boolean ready() {
        if (out.isReady()) {
            if (stalledSince != NOT_STALLED) {
                stalledSince = NOT_STALLED;
                cancel(stallTimer);
                stallTimer = null;
            }
            return true;
        }
        long now = System.nanoTime();
        if (stalledSince == NOT_STALLED) {
            stalledSince = now;
            stallTimer = scheduler().schedule(this::drain, shared.stallTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } else if (now - stalledSince >= shared.stallTimeout().toNanos()) {
            end(Outcome.STALLED); // nothing was taken for the whole stall timeout
        }
        return false;
    }

    /** The one way out, run once, in the drain: stop, leave the registry (whatever stopped() does), complete. */
    private void release() {
        if (ended) {
            return;
        }
        ended = true;
        try {
            cancel(stallTimer);
            stopped();
        } finally {
            shared.registry().remove(this, outcome);
            complete();
        }
    }

    private void complete() {
        try {
            HttpServletResponse response = (HttpServletResponse) async.getResponse();
            if (status != 0 && !wrote() && !response.isCommitted()) {
                response.setStatus(status);
            }
            async.complete();
        } catch (IllegalStateException alreadyEnded) {
            // The container ended the request first (onComplete, or a timeout or error it completes itself).
        }
    }

    /** Called once, in the drain, when the container first says the response can be written. */
    protected void started() {
    }

    /** What to write now; a question only: no state changes here, they belong in the hooks. */
    protected abstract Next next();

    /** Called in the drain right after {@code chunk}, the one {@link #next()} answered, was handed to the output. */
    protected void written(byte[] chunk) {
    }

    /**
     * Called once, in the drain, on the way out: cancel timers, stop producers. Should it throw, the response still
     * leaves the registry and is completed, and the exception goes to whichever thread ended the response.
     */
    protected abstract void stopped();

    protected static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    @Override
    public final void onWritePossible() {
        writable = true;
        drain();
    }

    @Override
    public final void onComplete(AsyncEvent event) {
        // The container completed the request itself (after the client went): only release what the response holds.
        endedByContainer(Outcome.CLIENT_GONE);
    }

    @Override
    public final void onTimeout(AsyncEvent event) {
        endedByContainer(Outcome.TIMEOUT);
    }

    @Override
    public final void onError(AsyncEvent event) {
        endedByContainer(Outcome.CLIENT_GONE);
    }

    /**
     * The container ends the request when this callback returns: end it here, on this thread, once a write in
     * progress on another thread has returned, so that nothing is written after the container let go of it.
     */
    private void endedByContainer(Outcome why) {
        end(why); // a drain on another thread stops before its next write
        turn.lock();
        try {
            release();
        } finally {
            turn.unlock();
        }
    }

    /** The client is gone or the write failed. */
    @Override
    public final void onError(Throwable failure) {
        finishAs(Outcome.CLIENT_GONE);
    }

    @Override
    public final void onStartAsync(AsyncEvent event) {
        // Not restarted: one AsyncContext per response.
    }
}
