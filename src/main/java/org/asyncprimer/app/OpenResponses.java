package org.asyncprimer.app;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToLongFunction;

/**
 * The responses of one kind ({@code /stream}'s, {@code /fetch}'s, ...) that have started and not yet finished,
 * and the gauges that kind reports about them. {@code /status} shows the count under the kind's name and each
 * gauge summed over the open responses; the tests read them to prove that nothing leaks. At shutdown every open
 * response is finished. A new kind plugs in by registering one of these with {@link App#register}: neither
 * {@link App} nor {@code /status} need to learn its words.
 *
 * <pre>{@code
 * new OpenResponses<>("openFetches", QueueBody.class)
 *         .gauge("queuedFetchChunks", QueueBody::queued)
 * }</pre>
 */
public final class OpenResponses<T extends OpenResponses.Open> {

    /** One open response (or session). */
    public interface Open {
        /** Ends the response; idempotent, callable from any thread. */
        void finish();
    }

    private record Gauge<T>(String name, ToLongFunction<T> perResponse) {
    }

    private final String name;
    private final Class<T> type;
    private final Set<T> open = ConcurrentHashMap.newKeySet();
    private final List<Gauge<T>> gauges = new CopyOnWriteArrayList<>();

    /** {@code name} is the count's field in /status, e.g. {@code openStreams}. */
    public OpenResponses(String name, Class<T> type) {
        this.name = name;
        this.type = type;
    }

    /** Adds a /status field: {@code perResponse} summed over the open responses. */
    public OpenResponses<T> gauge(String field, ToLongFunction<T> perResponse) {
        gauges.add(new Gauge<>(field, perResponse));
        return this;
    }

    public String name() {
        return name;
    }

    /** Takes any {@link Open} so that {@link AsyncResponse} can add itself; it must be of this kind's type. */
    public void add(Open response) {
        open.add(type.cast(response));
    }

    public void remove(Open response) {
        open.remove(response);
    }

    public int size() {
        return open.size();
    }

    /** The count, then each gauge, as /status shows them. */
    void report(Map<String, Object> status) {
        status.put(name, size());
        for (Gauge<T> gauge : gauges) {
            status.put(gauge.name(), open.stream().mapToLong(gauge.perResponse()).sum());
        }
    }

    void finishAll() {
        open.forEach(Open::finish);
    }
}
