package org.asyncprimer.app;

import jakarta.servlet.ServletContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What outlives a request: the one scheduler every timer runs on, and the responses that are still open.
 * Created and shut down by {@link AppLifecycle}; servlets find it in their context with {@link #from}.
 */
public final class App {

    private static final String ATTRIBUTE = App.class.getName();

    private final ScheduledThreadPoolExecutor scheduler;
    private final List<Thread> schedulerThreads = new CopyOnWriteArrayList<>();
    private final OpenResponses streams = new OpenResponses();
    private final OpenResponses fetches = new OpenResponses();

    App(int threads) {
        scheduler = new ScheduledThreadPoolExecutor(threads, named("async-primer-scheduler-"));
        // A client that goes away cancels its timer; without this the dead task would sit in the queue
        // until its delay ran out (up to minutes), which is exactly the leak a long-poll server must avoid.
        scheduler.setRemoveOnCancelPolicy(true);
    }

    public static App from(ServletContext context) {
        App app = (App) context.getAttribute(ATTRIBUTE);
        if (app == null) {
            throw new IllegalStateException(AppLifecycle.class.getName() + " has not initialised this context");
        }
        return app;
    }

    void attachTo(ServletContext context) {
        context.setAttribute(ATTRIBUTE, this);
    }

    /** Timers only: every task on it is short and never blocks. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    public OpenResponses streams() {
        return streams;
    }

    public OpenResponses fetches() {
        return fetches;
    }

    /** Ends every open response (clients see a clean end of body), then stops the scheduler. */
    void shutdown() {
        streams.finishAll();
        fetches.finishAll();
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            // The pool counts as terminated a moment before its threads have exited; the container checks for
            // threads left behind right after undeploy, so wait for them to be gone.
            for (Thread thread : schedulerThreads) {
                thread.join(TimeUnit.SECONDS.toMillis(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            schedulerThreads.add(thread);
            return thread;
        };
    }
}
