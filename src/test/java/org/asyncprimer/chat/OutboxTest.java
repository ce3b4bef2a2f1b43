package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When a transport that batches its writes (ChatStream) writes before the run of delivery is over. */
class OutboxTest {

    @Test
    void isHalfFullAtHalfOfItsItems() {
        Outbox<String> outbox = new Outbox<>(new Outbox.Bounds(4, 1000));
        assertTrue(outbox.offer("a", 10));
        assertFalse(outbox.halfFull());
        assertTrue(outbox.offer("b", 10));
        assertTrue(outbox.halfFull());
        outbox.poll();
        assertFalse(outbox.halfFull());
    }

    @Test
    void isHalfFullAtHalfOfItsBytes() {
        Outbox<String> outbox = new Outbox<>(new Outbox.Bounds(100, 1000));
        assertTrue(outbox.offer("a", 499));
        assertFalse(outbox.halfFull());
        assertTrue(outbox.offer("b", 1));
        assertTrue(outbox.halfFull());
    }
}
