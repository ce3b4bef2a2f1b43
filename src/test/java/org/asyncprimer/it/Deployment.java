package org.asyncprimer.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

/** The application deployed on one container, with what tests ask of it beyond plain HTTP. */
public final class Deployment implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long after the container stops the application's threads may take to end. */
    private static final Duration THREADS_GONE_WITHIN = Duration.ofSeconds(2);

    private final Container container;
    private final TestServer server;
    private final URI base;

    private Deployment(Container container, TestServer server, URI base) {
        this.container = container;
        this.server = server;
        this.base = base;
    }

    public static Deployment start(Container container, ServerOptions options) throws Exception {
        TestServer server = container.create();
        try {
            return new Deployment(container, server, server.start(Webapp.locate(), options));
        } catch (Exception | Error e) {
            server.stop();
            throw e;
        }
    }

    public static Deployment start(Container container) throws Exception {
        return start(container, ServerOptions.defaults());
    }

    public Container container() {
        return container;
    }

    public URI base() {
        return base;
    }

    public URI uri(String pathAndQuery) {
        return base.resolve(pathAndQuery.startsWith("/") ? pathAndQuery.substring(1) : pathAndQuery);
    }

    /** All of {@code GET /status} at one moment. */
    public JsonNode status() throws IOException {
        return JSON.readTree(Http.get(uri("/status")).body());
    }

    /** One number from {@code GET /status}, e.g. {@code openStreams}. */
    public int status(String field) throws IOException {
        JsonNode node = status().get(field);
        if (node == null) {
            throw new AssertionError("/status has no field " + field);
        }
        return node.asInt();
    }

    /**
     * Polls {@code /status} until {@code field} satisfies the condition or the deadline passes; returns the last
     * value seen so the caller asserts on it.
     */
    public int awaitStatus(String field, IntPredicate condition, Duration deadline)
            throws IOException, InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        int value = status(field);
        while (!condition.test(value) && System.nanoTime() < end) {
            Thread.sleep(20); // polling interval, not a wait for an outcome: the loop checks the outcome
            value = status(field);
        }
        return value;
    }

    /**
     * Stops the container, then fails if a thread the application started (its {@code async-primer-*} scheduler
     * threads, or any other) is still alive a moment later, on every container. Tomcat also reports such threads
     * itself (see {@link TomcatServer#stop()}); Jetty does not look.
     */
    /** {@link #stop()}, failing the test if it took {@code bound} or more: nothing held open may hold up a stop. */
    public void stopWithin(Duration bound) throws Exception {
        long stopping = System.nanoTime();
        stop();
        long took = System.nanoTime() - stopping;
        if (took >= bound.toNanos()) {
            throw new AssertionError("stop took too long: " + TimeUnit.NANOSECONDS.toMillis(took) + " ms");
        }
    }

    public void stop() throws Exception {
        ClassLoader webapp = server.webappClassLoader();
        server.stop();
        if (webapp == null) {
            return;
        }
        long end = System.nanoTime() + THREADS_GONE_WITHIN.toNanos();
        List<String> survivors = threadsOf(webapp);
        while (!survivors.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(20); // polling interval; the loop checks the outcome
            survivors = threadsOf(webapp);
        }
        if (!survivors.isEmpty()) {
            throw new AssertionError(container + ": the application's threads survived undeploy: " + survivors);
        }
    }

    /**
     * Live threads started from application code: a new thread inherits its creator's context class loader, and
     * both containers set the application's while they run its code (listeners, requests, WebSocket callbacks).
     * Counted by loader rather than by name, so another deployment's {@code async-primer-*} threads in this JVM
     * (a test may run two) are not taken for this one's.
     */
    private static List<String> threadsOf(ClassLoader webapp) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getContextClassLoader() == webapp)
                .map(t -> t.getName() + " " + t.getState())
                .sorted().toList();
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
