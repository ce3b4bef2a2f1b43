package org.asyncprimer.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The chat's meters, for its transports to call: messages published, messages delivered per transport, and how
 * long a message took from its publish (its time as the broker stamped it) to the write that delivered it; and
 * whether the broker is connected. Every meter is resolved here, once: a transport keeps its {@link Delivery} and
 * pays one increment and one timer record per message.
 *
 * <pre>{@code
 * ChatMeters chat = new ChatMeters(app.meters());           // in the servlet's init()
 * ChatMeters.Delivery sse = chat.delivery(ChatMeters.Transport.SSE);
 * chat.published();                                          // after a publish is stored
 * sse.delivered(message.at());                               // after the message's event was written
 * chat.brokerConnected("memory", () -> true);                // a Redis broker supplies its connection state
 * }</pre>
 */
public final class ChatMeters {

    /** How a message reached its reader: the {@code transport} tag. */
    public enum Transport {
        LONG_POLL, SSE, WEBSOCKET;

        final String tag = name().toLowerCase(Locale.ROOT).replace("_", "-");
    }

    /** Bucket bounds of the publish-to-write latency, in ms. */
    private static final double[] LATENCY_BUCKETS_MS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000};

    private final MeterRegistry meters;
    private final Counter published;
    private final Map<Transport, Delivery> deliveries = new EnumMap<>(Transport.class);

    public ChatMeters(MeterRegistry meters) {
        this(meters, Clock.systemUTC());
    }

    ChatMeters(MeterRegistry meters, Clock clock) {
        this.meters = meters;
        this.published = Counter.builder("asyncprimer.chat.published")
                .description("chat messages stored by the broker").register(meters);
        Duration[] buckets = Arrays.stream(LATENCY_BUCKETS_MS)
                .mapToObj(ms -> Duration.ofNanos((long) (ms * 1_000_000))).toArray(Duration[]::new);
        for (Transport transport : Transport.values()) {
            deliveries.put(transport, new Delivery(clock,
                    Counter.builder("asyncprimer.chat.delivered").description("chat messages written to a reader")
                            .tag("transport", transport.tag).register(meters),
                    Timer.builder("asyncprimer.chat.delivery.latency")
                            .description("from a chat message's publish to the write that delivered it")
                            .tag("transport", transport.tag).serviceLevelObjectives(buckets).register(meters)));
        }
    }

    /** One message stored. */
    public void published() {
        published.increment();
    }

    public Delivery delivery(Transport transport) {
        return deliveries.get(transport);
    }

    /**
     * {@code asyncprimer.chat.broker.connected{broker}}: 1 while {@code connected} says so, else 0, read at each
     * scrape. The in-memory broker is always connected; a Redis broker supplies its connection's state.
     */
    public void brokerConnected(String broker, BooleanSupplier connected) {
        Gauge.builder("asyncprimer.chat.broker.connected", connected, c -> c.getAsBoolean() ? 1 : 0)
                .description("1 while the chat broker is connected to its store").tag("broker", broker)
                .strongReference(true).register(meters);
    }

    /** One transport's deliveries: resolved once, kept by the transport. */
    public static final class Delivery {
        private final Clock clock;
        private final Counter delivered;
        private final Timer latency;

        Delivery(Clock clock, Counter delivered, Timer latency) {
            this.clock = clock;
            this.delivered = delivered;
            this.latency = latency;
        }

        /** A message published at {@code publishedAt} was written to a reader just now. */
        public void delivered(Instant publishedAt) {
            delivered.increment();
            long ms = clock.millis() - publishedAt.toEpochMilli();
            latency.record(Math.max(0, ms), TimeUnit.MILLISECONDS); // no Duration: this runs once per delivery
        }
    }
}
