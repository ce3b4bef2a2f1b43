package org.asyncprimer.app;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every asynchronous response here shares: it counts as open from {@link #begin()} until it ends, and every
 * way out (its last chunk written, the async timeout, an error, the client gone, shutdown) goes through one
 * idempotent {@link #finish()}. A subclass says what to write next in {@link #nextChunk()}, {@link
 * #writeWhileReady()} writes it only while {@code isReady()}, and the subclass lets go of its timers and workers in
 * {@link #stopped()}.
 */
public abstract class AsyncResponse implements AsyncListener, WriteListener, OpenResponses.Open {

    protected final AsyncContext async;
    private final OpenResponses registry;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile ServletOutputStream out;
    private volatile boolean unflushed;

    protected AsyncResponse(AsyncContext async, OpenResponses registry) {
        this.async = async;
        this.registry = registry;
    }

    /** Counts the response as open and hands it to non-blocking output: the container calls onWritePossible. */
    protected final void begin() throws IOException {
        registry.add(this);
        async.addListener(this);
        out = async.getResponse().getOutputStream();
        out.setWriteListener(this); // may call onWritePossible at once, on another thread: out is set before
    }

    /**
     * Writes the subclass's chunks, flushing after each, while {@code isReady()} is true. When it turns false we
     * return at once: the container calls {@link #onWritePossible()} when the client has taken the bytes. Never call
     * this from two threads at once.
     */
    protected final void writeWhileReady() {
        if (finished()) {
            return;
        }
        try {
            while (out.isReady()) {
                if (unflushed) {
                    unflushed = false;
                    out.flush();
                    continue;
                }
                byte[] chunk = nextChunk();
                if (chunk == null) {
                    return;
                }
                unflushed = true;
                out.write(chunk);
            }
        } catch (IOException | IllegalStateException clientGoneOrContextEnded) {
            finish();
        }
    }

    /**
     * The chunk to write now, or null when there is none: nothing is due yet (the subclass arranges to call
     * {@link #writeWhileReady()} again when there is), or the response is over (the subclass has called finish).
     */
    protected abstract byte[] nextChunk();

    protected final boolean finished() {
        return finished.get();
    }

    /** Called once, on the way out, from whichever thread ends the response: cancel timers, stop workers. */
    protected abstract void stopped();

    /** Ends the response: idempotent, from any thread. */
    @Override
    public final void finish() {
        if (release()) {
            try {
                async.complete();
            } catch (IllegalStateException alreadyEnded) {
                // The container ended the request first (a timeout or error dispatch): nothing left to do.
            }
        }
    }

    /** Stops what the response holds and leaves the open set; true only for the first caller. */
    private boolean release() {
        if (finished.getAndSet(true)) {
            return false;
        }
        stopped();
        registry.remove(this);
        return true;
    }

    @Override
    public final void onComplete(AsyncEvent event) {
        release();
    }

    @Override
    public final void onTimeout(AsyncEvent event) {
        finish();
    }

    @Override
    public final void onError(AsyncEvent event) {
        finish();
    }

    /** The client is gone or the write failed. */
    @Override
    public final void onError(Throwable failure) {
        finish();
    }

    @Override
    public final void onStartAsync(AsyncEvent event) {
        // Not restarted: one AsyncContext per response.
    }
}
