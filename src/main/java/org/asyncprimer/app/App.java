package org.asyncprimer.app;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.websocket.EndpointConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.asyncprimer.metrics.Metering;

/**
 * What outlives a request: the one scheduler every timer runs on, the deployer's settings, the open
 * responses of each kind, and the meters ({@link Metering}). Created and shut down by {@link AppLifecycle};
 * servlets find it in their context with {@link #from} and register their kind in {@code init()}.
 */
public final class App {

    private static final String ATTRIBUTE = App.class.getName();

    private final AppSettings settings;
    private final ScheduledThreadPoolExecutor scheduler;
    private final List<Thread> schedulerThreads = new CopyOnWriteArrayList<>();
    private final List<OpenResponses<?>> kinds = new CopyOnWriteArrayList<>();
    private final Metering metering;

    App(AppSettings settings, Metering metering) {
        this.settings = settings;
        this.metering = metering;
        scheduler = new ScheduledThreadPoolExecutor(settings.schedulerThreads(), named("async-primer-scheduler-"));
        // A client that goes away cancels its timer; without this the dead task would sit in the queue
        // until its delay ran out (up to minutes), which is exactly the leak a long-poll server must avoid.
        // It also makes the queue's size (/status schedulerTasks) count live timers only.
        scheduler.setRemoveOnCancelPolicy(true);
        Gauge.builder("asyncprimer.scheduler.tasks", scheduler, s -> s.getQueue().size())
                .description("timers waiting in the shared scheduler (cancelled ones are removed)")
                .register(metering.registry());
    }

    public static App from(ServletContext context) {
        App app = attachedTo(context);
        if (app == null) {
            throw new IllegalStateException(AppLifecycle.class.getName() + " has not initialised this context");
        }
        return app;
    }

    /**
     * The application of a WebSocket session, which the container creates without a ServletContext: the handshake
     * puts it into the session's configuration (see {@code websocket.OriginCheck#modifyHandshake}).
     */
    public static App from(EndpointConfig config) {
        Object app = config.getUserProperties().get(ATTRIBUTE);
        if (app == null) {
            throw new IllegalStateException("this session's handshake did not pass through the application");
        }
        return (App) app;
    }

    /** Hands the application to a WebSocket session: see {@link #from(EndpointConfig)}. */
    public void attachTo(EndpointConfig config) {
        config.getUserProperties().put(ATTRIBUTE, this);
    }

    static App attachedTo(ServletContext context) {
        return (App) context.getAttribute(ATTRIBUTE);
    }

    void attachTo(ServletContext context) {
        context.setAttribute(ATTRIBUTE, this);
    }

    /** Timers only: every task on it is short and never blocks. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** The application's meter registry: features resolve their meters from it once, in init(). */
    public MeterRegistry meters() {
        return metering.registry();
    }

    /** The registry's owner: whether metering is on, who may read it, and /metrics. */
    public Metering metering() {
        return metering;
    }

    /** Adds a kind of response to /status, /metrics and the shutdown; its name must be new. */
    public <T extends OpenResponses.Open> OpenResponses<T> register(OpenResponses<T> kind) {
        if (kinds.stream().anyMatch(k -> k.name().equals(kind.name()))) {
            throw new IllegalStateException("a kind named " + kind.name() + " is registered already");
        }
        kinds.add(kind);
        kind.meterWith(metering.registry());
        return kind;
    }

    /** The kind registered under this name, for code the container creates without an init() (endpoints). */
    public <T extends OpenResponses.Open> OpenResponses<T> kind(String name, Class<T> type) {
        return kinds.stream().filter(k -> k.name().equals(name)).findFirst()
                .map(k -> k.as(type))
                .orElseThrow(() -> new IllegalStateException("no kind named " + name + " is registered"));
    }

    /** What a response of this kind is given: the scheduler, its registry, the stall timeout. */
    public AsyncResponse.Shared shared(OpenResponses<?> kind) {
        return new AsyncResponse.Shared(scheduler, kind, settings.stallTimeout());
    }

    /**
     * Puts the request into asynchronous mode with an async timeout of its planned duration plus the margin:
     * the container's default (30 s on Tomcat) would cut long streams, and none at all would let a lost response
     * live forever.
     */
    public AsyncContext startAsync(HttpServletRequest request, Duration planned) {
        AsyncContext async = request.startAsync();
        async.setTimeout(planned.plus(settings.timeoutMargin()).toMillis());
        return async;
    }

    /** Each kind's count and gauges, then the timers waiting in the scheduler (cancelled ones are removed). */
    void report(Map<String, Object> status) {
        kinds.forEach(kind -> kind.report(status));
        status.put("schedulerTasks", scheduler.getQueue().size());
    }

    /** Ends every open response (clients see a clean end of body), stops the scheduler, closes the meters. */
    void shutdown() {
        kinds.forEach(OpenResponses::finishAll);
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
        } finally {
            metering.close();
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
