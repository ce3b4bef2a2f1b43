package org.asyncprimer.chat;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pass over a room's subscriptions, run on a broker's fan-out thread however often it is asked for: waking is
 * idempotent (a woken subscription takes everything up to the newest), so requests that come while a pass is
 * queued or running coalesce into one more pass, and at most one task per room is ever queued. Both brokers' rooms
 * ({@link Room}, the Redis broker's feeds) wake their subscriptions with it.
 */
public final class CoalescedPasses {

    /** Requests not yet gone round for. */
    private final AtomicInteger asked = new AtomicInteger();
    private final Runnable pass;

    public CoalescedPasses(Runnable pass) {
        this.pass = pass;
    }

    /** Has a pass run on {@code executor}; false if the executor refused it (the broker is closing). */
    public boolean request(Executor executor) {
        if (asked.getAndIncrement() != 0) {
            return true; // the pass queued or running goes round again for it
        }
        try {
            executor.execute(this::drain);
            return true;
        } catch (RejectedExecutionException closing) {
            asked.set(0);
            return false;
        }
    }

    private void drain() {
        try {
            int seen;
            do {
                seen = asked.get();
                pass.run();
            } while (asked.addAndGet(-seen) != 0);
        } catch (RuntimeException | Error escaped) {
            // A subscription catches its subscriber's RuntimeExceptions; anything else ends this pass. Left at its
            // count, the room would never be woken on this thread again: the next request starts a pass.
            asked.set(0);
            throw escaped;
        }
    }
}
