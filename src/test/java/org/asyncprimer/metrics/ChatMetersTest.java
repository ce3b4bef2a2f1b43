package org.asyncprimer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The API the chat transports call, against a plain registry: what each call adds, under which tags. */
class ChatMetersTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Instant now = Instant.parse("2026-11-27T01:00:00Z");
    private final ChatMeters chat = new ChatMeters(meters, Clock.fixed(now, ZoneOffset.UTC));

    @Test
    void countsPublishesAndDeliveriesPerTransportWithTheirLatency() {
        chat.published();
        chat.published();
        ChatMeters.Delivery sse = chat.delivery(ChatMeters.Transport.SSE);
        sse.delivered(now.minusMillis(40));
        chat.delivery(ChatMeters.Transport.LONG_POLL).delivered(now.minusMillis(10));

        assertEquals(2.0, meters.get("asyncprimer.chat.published").counter().count());
        assertEquals(1.0, meters.get("asyncprimer.chat.delivered").tag("transport", "sse").counter().count());
        assertEquals(1.0, meters.get("asyncprimer.chat.delivered").tag("transport", "long-poll").counter().count());
        assertEquals(0.0, meters.get("asyncprimer.chat.delivered").tag("transport", "websocket").counter().count());
        assertEquals(40.0, meters.get("asyncprimer.chat.delivery.latency").tag("transport", "sse").timer()
                .max(TimeUnit.MILLISECONDS));
    }

    @Test
    void aMessageStampedByAClockAheadOfOursCountsAsNoLatencyNotNegative() {
        chat.delivery(ChatMeters.Transport.WEBSOCKET).delivered(now.plusMillis(5));
        assertEquals(1, meters.get("asyncprimer.chat.delivery.latency").tag("transport", "websocket").timer().count());
        assertEquals(0.0, meters.get("asyncprimer.chat.delivery.latency").tag("transport", "websocket").timer()
                .max(TimeUnit.MILLISECONDS));
    }

    @Test
    void brokerConnectedFollowsWhatTheBrokerSupplies() {
        AtomicBoolean connected = new AtomicBoolean(true);
        chat.brokerConnected("redis", connected::get);
        assertEquals(1.0, meters.get("asyncprimer.chat.broker.connected").tag("broker", "redis").gauge().value());
        connected.set(false);
        assertEquals(0.0, meters.get("asyncprimer.chat.broker.connected").tag("broker", "redis").gauge().value());
    }
}
