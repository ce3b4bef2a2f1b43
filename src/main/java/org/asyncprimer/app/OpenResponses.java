package org.asyncprimer.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Locale;
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
 * {@link App} nor {@code /status} need to learn its words. Registered, it also shows in {@code /metrics}: how many
 * are open ({@code asyncprimer_responses_open{kind}}) and how each one ended
 * ({@code asyncprimer_responses_ended_total{kind,outcome}}, counted by {@link #remove(Open, Outcome)}).
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

    /** Until the kind is registered with the application's meters, ends are not counted. */
    private static final Counter[] NOT_COUNTED = new Counter[0];

    private final String name;
    private final String kind;
    private final Class<T> type;
    private final Set<T> open = ConcurrentHashMap.newKeySet();
    private final List<Gauge<T>> gauges = new CopyOnWriteArrayList<>();
    /** One counter per {@link Outcome}, resolved once: ending a response costs one increment, no tag building. */
    private volatile Counter[] endedBy = NOT_COUNTED;

    /**
     * {@code name} is the count's field in /status, e.g. {@code openStreams}; {@code kind} its {@code kind} tag in
     * /metrics, e.g. {@code stream}.
     */
    public OpenResponses(String name, String kind, Class<T> type) {
        this.name = name;
        this.kind = kind;
        this.type = type;
    }

    /** The kind tag is the name without "open", in lower case: {@code openChatPolls} is {@code chatpolls}. */
    public OpenResponses(String name, Class<T> type) {
        this(name, name.replaceFirst("^open(?=[A-Z])", "").toLowerCase(Locale.ROOT), type);
    }

    /** Adds a /status field: {@code perResponse} summed over the open responses. */
    public OpenResponses<T> gauge(String field, ToLongFunction<T> perResponse) {
        gauges.add(new Gauge<>(field, perResponse));
        return this;
    }

    public String name() {
        return name;
    }

    public String kind() {
        return kind;
    }

    /** This kind, typed: it must hold {@code expected}s. */
    @SuppressWarnings("unchecked")
    <U extends Open> OpenResponses<U> as(Class<U> expected) {
        if (!expected.isAssignableFrom(type)) {
            throw new IllegalStateException(name + " holds " + type.getName() + ", not " + expected.getName());
        }
        return (OpenResponses<U>) this;
    }

    /** Takes any {@link Open} so that {@link AsyncResponse} can add itself; it must be of this kind's type. */
    public void add(Open response) {
        open.add(type.cast(response));
    }

    /** Takes the response out without counting how it ended (see {@link #remove(Open, Outcome)}). */
    public void remove(Open response) {
        open.remove(response);
    }

    /** Takes the response out and counts it once under {@code outcome}, however often it is called. */
    public void remove(Open response, Outcome outcome) {
        Counter[] counters = endedBy;
        if (open.remove(response) && counters.length > 0) {
            counters[outcome.ordinal()].increment();
        }
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

    /** The open count as a gauge and a counter per outcome, tagged with this kind; called once by {@link App}. */
    void meterWith(MeterRegistry meters) {
        io.micrometer.core.instrument.Gauge.builder("asyncprimer.responses.open", open, Set::size)
                .description("asynchronous responses and sessions held open right now")
                .tag("kind", kind).strongReference(true).register(meters);
        Counter[] counters = new Counter[Outcome.values().length];
        for (Outcome outcome : Outcome.values()) {
            counters[outcome.ordinal()] = Counter.builder("asyncprimer.responses.ended")
                    .description("asynchronous responses and sessions ended, by how they ended")
                    .tag("kind", kind).tag("outcome", outcome.tag()).register(meters);
        }
        endedBy = counters;
    }

    void finishAll() {
        open.forEach(Open::finish);
    }
}
