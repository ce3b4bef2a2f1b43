package org.asyncprimer.app;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A scheduler whose first timer fires, on its own thread, before {@code schedule()} has returned to the caller:
 * what a timer with a delay of 0 (or any short one, on a busy machine) can do. Later timers wait for their delay.
 * Cancelled timers leave the queue, so {@code getQueue().isEmpty()} means no live timer.
 */
public final class FirstTimerAtOnce extends ScheduledThreadPoolExecutor {

    private final AtomicBoolean first = new AtomicBoolean(true);

    public FirstTimerAtOnce() {
        super(1);
        setRemoveOnCancelPolicy(true);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        if (!first.getAndSet(false)) {
            return super.schedule(task, delay, unit);
        }
        ScheduledFuture<?> fired = super.schedule(task, 0, unit);
        try {
            fired.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the first timer did not run cleanly", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return fired;
    }
}
