package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import org.asyncprimer.metrics.ChatMeters;
import org.junit.jupiter.api.Test;

/** What the SSE and WebSocket transports count: a message as it leaves the outbox, never one that is dropped. */
class OutboxDeliveryTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Outbox<String> outbox = new Outbox<>(new Outbox.Bounds(16, 4096),
            new ChatMeters(meters).delivery(ChatMeters.Transport.SSE));

    @Test
    void countsEachMessageThatLeavesAndNothingItDrops() {
        outbox.offer("message 1", 9, Instant.now());
        outbox.offer("gap", 3);                       // not a message: no publish time, not a delivery
        outbox.offer("message 2", 9, Instant.now());
        outbox.offer("message 3", 9, Instant.now());

        assertEquals("message 1", outbox.poll());
        assertEquals("gap", outbox.poll());
        outbox.clear();                                // the client is ended: messages 2 and 3 never reach it

        assertEquals(1.0, meters.get("asyncprimer.chat.delivered").tag("transport", "sse").counter().count());
        assertEquals(1, meters.get("asyncprimer.chat.delivery.latency").tag("transport", "sse").timer().count());
        assertEquals(0, outbox.bytes());
    }
}
