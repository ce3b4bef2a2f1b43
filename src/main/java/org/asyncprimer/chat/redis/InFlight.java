package org.asyncprimer.chat.redis;

import io.lettuce.core.RedisCommandTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The commands a node has outstanding on one Redis connection, held below a bound: one more is refused at once
 * ({@link Saturated}), before it reaches Lettuce. Lettuce refuses commands too, beyond its request queue, but on
 * its event loop, with a WARNING and a stack trace each (55 MB of log in 40 s of a paused Redis under 800
 * publishers), and its queue keeps a command until Redis answers it, also one whose timeout has passed. So a
 * command counts until Lettuce lets go of it (Redis answered, or the connection failed it), not until the app's
 * timeout gives up on it: only then does the count say what Lettuce holds.
 *
 * <p>The app's timeout ({@link #send}'s {@code timeout}) completes the caller's stage with Lettuce's
 * {@link RedisCommandTimeoutException}, as Lettuce's own timeout did; the command goes on counting until it ends.
 */
final class InFlight {

    /** Refused: the connection has its bound of commands outstanding (Redis paused, or slower than the load). */
    static final class Saturated extends RuntimeException {
        Saturated(int limit) {
            this(limit + " commands outstanding on one connection");
        }

        Saturated(String why) {
            super(why, null, false, false); // one per refusal: cheap
        }
    }

    private final int limit;
    private final ScheduledExecutorService timers;
    private final AtomicInteger count = new AtomicInteger();
    /** When a command last ended, or the count last left zero: see {@link #stalled}. */
    private final AtomicLong progressNanos = new AtomicLong(System.nanoTime());

    InFlight(int limit, ScheduledExecutorService timers) {
        this.limit = limit;
        this.timers = timers;
    }

    int count() {
        return count.get();
    }

    /**
     * Commands are outstanding and none has ended for {@code within}: the other end is there (the connection is open)
     * but answers nothing, as a paused or wedged Redis does. Nothing outstanding is never stalled.
     */
    boolean stalled(Duration within) {
        return count.get() > 0 && System.nanoTime() - progressNanos.get() > within.toNanos();
    }

    /**
     * Sends {@code command} unless {@code limit} are outstanding. The stage completes when the command does, or
     * with a timeout after {@code timeout} (none when null: the caller waits for the command itself).
     */
    <T> CompletableFuture<T> send(Duration timeout, Supplier<? extends CompletionStage<T>> command) {
        if (count.get() == 0) {
            // The stall clock starts with the first command of a busy spell; set before it counts, so that no one
            // sees the command outstanding with the clock of the last answer, minutes ago.
            progressNanos.set(System.nanoTime());
        }
        if (count.incrementAndGet() > limit) {
            count.decrementAndGet();
            return CompletableFuture.failedFuture(new Saturated(limit));
        }
        CompletionStage<T> sent;
        try {
            sent = command.get();
        } catch (RuntimeException | LinkageError refused) {
            count.decrementAndGet();
            return CompletableFuture.failedFuture(refused);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        ScheduledFuture<?> timer = timeout == null ? null : timeLimit(result, timeout);
        sent.whenComplete((value, failure) -> {
            progressNanos.set(System.nanoTime());
            count.decrementAndGet(); // Lettuce let go of it: answered, failed, or cancelled
            if (timer != null) {
                timer.cancel(false);
            }
            if (failure == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(failure);
            }
        });
        return result;
    }

    private ScheduledFuture<?> timeLimit(CompletableFuture<?> result, Duration timeout) {
        try {
            return timers.schedule(() -> result.completeExceptionally(new RedisCommandTimeoutException(
                    "Command timed out after " + timeout.toMillis() + " ms")), timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            return null; // the broker is closing: closing the client fails the command
        }
    }
}
