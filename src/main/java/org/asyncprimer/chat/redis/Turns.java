package org.asyncprimer.chat.redis;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * At most {@code limit} tasks of one kind in flight at once; the others wait their turn, in order, in memory. A
 * node's catch-up reads go through one: 3 000 subscribers resuming from {@code since=0-0} sent 3 000 {@code XRANGE}s
 * at once, and every publish on the node (their {@code XADD} behind those replies on the one shared connection)
 * answered 503 for 40 s, while the reader's {@code XREAD} timed out too.
 */
final class Turns {

    /**
     * Tasks that may wait at most; one more fails at once (a subscription's read is then tried again later). While
     * Redis stalls, the slots stay taken and long-polls behind the tail re-poll every timeout: without a bound the
     * queue grew with every round, each entry holding its poll.
     */
    static final int MAX_WAITING = 10_000;

    private final int limit;
    /** Tasks in {@link #waiting}, counted as they are added and as they start (the queue's size() walks it). */
    private final AtomicInteger queued = new AtomicInteger();
    /** Where a task's completion starts the next: not inline, so that tasks that end at once do not nest. */
    private final Executor executor;
    private final AtomicInteger running = new AtomicInteger();
    /** Calls of {@link #next()} not yet served: the one that made it 1 starts tasks until it is 0 again. */
    private final AtomicInteger starters = new AtomicInteger();
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

    Turns(int limit, Executor executor) {
        this.limit = limit;
        this.executor = executor;
    }

    /** Starts {@code task} when fewer than {@code limit} are in flight; the stage completes as the task's does. */
    <T> CompletionStage<T> take(Supplier<? extends CompletionStage<T>> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (queued.incrementAndGet() > MAX_WAITING) {
            queued.decrementAndGet();
            result.completeExceptionally(new InFlight.Saturated(MAX_WAITING + " catch-up reads waiting"));
            return result;
        }
        waiting.add(() -> {
            queued.decrementAndGet();
            CompletionStage<T> started;
            try {
                started = task.get();
            } catch (RuntimeException thrown) {
                started = CompletableFuture.failedStage(thrown);
            }
            started.whenCompleteAsync((value, failure) -> {
                running.decrementAndGet();
                next();
                if (failure == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(failure);
                }
            }, executor);
        });
        next();
        return result;
    }

    int waiting() {
        return queued.get();
    }

    /**
     * Starts waiting tasks while there is room, one thread at a time: a call made meanwhile (a task that ended at
     * once, inline when the broker's threads are gone) leaves the work to the thread already here, which looks
     * again, instead of nesting one call per task (thousands of waiting reads at shutdown).
     */
    private void next() {
        if (starters.getAndIncrement() != 0) {
            return;
        }
        try {
            do {
                startWhileRoom();
            } while (starters.decrementAndGet() != 0);
        } catch (Error escaped) {
            // A task that threw an Error (a RuntimeException becomes its failed stage): left above 0, the counter
            // would have every later call return at once and no waiting task would ever start.
            starters.set(0);
            throw escaped;
        }
    }

    /**
     * A slot is claimed before a task is taken from the queue, and given back when none was there; the loop then
     * looks again, so a task added meanwhile by a thread that saw no room is not left behind.
     */
    private void startWhileRoom() {
        for (;;) {
            int now = running.get();
            if (now >= limit || waiting.isEmpty()) {
                return;
            }
            if (!running.compareAndSet(now, now + 1)) {
                continue;
            }
            Runnable task = waiting.poll();
            if (task == null) {
                running.decrementAndGet();
                continue;
            }
            task.run();
        }
    }
}
