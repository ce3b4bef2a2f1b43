package org.asyncprimer.app;

import jakarta.servlet.ServletContext;
import java.time.Duration;

/**
 * What the deployer sets for every asynchronous response, read once from context parameters when the context
 * starts (the README's table lists them). A bad value fails the deployment.
 */
public record AppSettings(int schedulerThreads, Duration stallTimeout, Duration timeoutMargin) {

    /** Threads of the shared scheduler (default 2; 1..64). Timers only, so few suffice. */
    public static final String SCHEDULER_THREADS = "asyncprimer.schedulerThreads";

    /**
     * A response whose output stays not ready (the client takes no bytes) this long is ended (default 60000;
     * 100..3600000 ms): what a client that stops reading may cost is bounded in time, not only in bytes.
     */
    public static final String STALL_TIMEOUT_MS = "asyncprimer.stallTimeoutMs";

    /**
     * Added to a response's planned duration for its async timeout, the container's own safety net behind
     * every other way out (default 30000; 100..3600000 ms).
     */
    public static final String TIMEOUT_MARGIN_MS = "asyncprimer.timeoutMarginMs";

    static AppSettings from(ServletContext context) {
        return new AppSettings(
                ContextParams.intParam(context, SCHEDULER_THREADS, 2, 1, 64),
                Duration.ofMillis(ContextParams.intParam(context, STALL_TIMEOUT_MS, 60_000, 100, 3_600_000)),
                Duration.ofMillis(ContextParams.intParam(context, TIMEOUT_MARGIN_MS, 30_000, 100, 3_600_000)));
    }
}
