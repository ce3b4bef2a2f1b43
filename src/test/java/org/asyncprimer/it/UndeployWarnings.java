package org.asyncprimer.it;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Records what Tomcat's leak detection reports while a context stops. {@code WebappClassLoaderBase} logs through
 * JULI, which embedded Tomcat sends to {@code java.util.logging}: a thread the application started and did not
 * stop, a ThreadLocal it left on a container thread, a {@code java.util.Timer}, an RMI target (WARNING or SEVERE),
 * and that a check was skipped because the JVM lacks an {@code --add-opens} (the pom's failsafe argLine gives them).
 * A listener that throws in {@code contextDestroyed} is logged SEVERE by {@code StandardContext}.
 */
final class UndeployWarnings extends Handler implements AutoCloseable {

    /** Held strongly: java.util.logging keeps loggers only weakly, and a collected logger forgets its handler. */
    private final Logger loader = Logger.getLogger("org.apache.catalina.loader");
    private final Logger core = Logger.getLogger("org.apache.catalina.core");
    private final List<String> warnings = new CopyOnWriteArrayList<>();

    /**
     * The connector's own request threads ({@code http-nio-...-exec-N}), which no application can start. Tomcat names
     * one when it was still bound to the context's class loader at the moment of the check: it had just finished
     * ending a response the stopping context completed (seen on Tomcat 10.1 in endsOpenStreamsWhenTheServerStops),
     * and its stack trace shows it idle in the pool by the time the warning is written. Caught a moment earlier, still
     * inside the connector's adapter while it writes the end of that response, the same thread is reported as "still
     * processing a request" instead. A thread truly left with the context's class loader is still caught by
     * {@code Deployment.stop()}.
     */
    private static final Pattern CONTAINER_THREAD = Pattern.compile(
            "(started a thread named|The thread) \\[[^\\]]*-exec-\\d+\\]");
    /**
     * Tomcat 8.5's form of the same race: "still processing a request that has yet to finish", naming no thread, with
     * a stack trace that shows the request thread already back in the pool, waiting for work (seen once in
     * endsOpenStreamsWhenTheServerStops on the javax suite). A request truly still running shows it in the app.
     */
    private static final Pattern FINISHED_REQUEST = Pattern.compile(
            "(?s)still processing a request.*TaskQueue\\.take\\(.*ThreadPoolExecutor\\.getTask\\(");

    private UndeployWarnings() {
        setLevel(Level.WARNING);
        loader.addHandler(this);
        core.addHandler(this);
    }

    static UndeployWarnings capture() {
        return new UndeployWarnings();
    }

    @Override
    public void publish(LogRecord record) {
        boolean fromLoader = record.getLoggerName().startsWith(loader.getName());
        String message = String.valueOf(record.getMessage());
        if (record.getLevel().intValue() >= (fromLoader ? Level.WARNING : Level.SEVERE).intValue()
                && !CONTAINER_THREAD.matcher(message).find() && !FINISHED_REQUEST.matcher(message).find()) {
            String thrown = record.getThrown() == null ? "" : " (" + record.getThrown() + ")";
            warnings.add(record.getLevel() + " " + record.getLoggerName() + ": " + record.getMessage() + thrown);
        }
    }

    List<String> warnings() {
        return List.copyOf(warnings);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        loader.removeHandler(this);
        core.removeHandler(this);
    }
}
