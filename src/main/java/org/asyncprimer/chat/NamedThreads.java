package org.asyncprimer.chat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads named {@code <prefix>N}, remembered so that whoever stops their pool (a broker's close, the
 * chat's session closer) can wait for them to end.
 */
public final class NamedThreads implements ThreadFactory {

    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    public NamedThreads(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, prefix + count.incrementAndGet());
        thread.setDaemon(true);
        threads.add(thread);
        return thread;
    }

    /** The pool counts as terminated a moment before its threads have exited: wait for them, a bounded time. */
    public void join(Duration each) throws InterruptedException {
        for (Thread thread : threads) {
            if (thread != Thread.currentThread()) {
                thread.join(each.toMillis());
            }
        }
    }
}
