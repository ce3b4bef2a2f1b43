package org.asyncprimer.fetch;

import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * An asynchronous producer in the seed's shape: it calls back with each chunk of data, then once with the end
 * (or an error). It never blocks the thread it runs on, and it can be paused by its consumer and cancelled.
 *
 * <pre>
 * worker.onData(body::offer);    // on_data   -> body.put(chunk)
 * worker.onFinish(body::end);    // on_finish -> body.put(StopIteration)
 * worker.onError(body::fail);
 * worker.start();
 * </pre>
 */
public interface Worker {

    /**
     * Where each chunk goes. The callback returns false when the consumer has no room: the chunk was not taken,
     * and the worker keeps it and produces nothing more until {@link #resume()}.
     */
    void onData(Predicate<byte[]> callback);

    /** Called once after the last chunk was taken. */
    void onFinish(Runnable callback);

    /** Called once instead of {@link #onFinish} when the worker fails. */
    void onError(Consumer<Throwable> callback);

    /** Begins producing; returns at once. */
    void start();

    /** The consumer has room again: offer the chunk that was refused, and go on. */
    void resume();

    /** Stops producing and drops any pending timer; no callback is called afterwards. Idempotent. */
    void cancel();
}
