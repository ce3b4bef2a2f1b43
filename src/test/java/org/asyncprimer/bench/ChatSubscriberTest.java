package org.asyncprimer.bench;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a chat subscriber counts: the run's checks must catch a missing, repeated or reordered message. */
class ChatSubscriberTest {

    private final AtomicInteger ready = new AtomicInteger();
    private final SseSubscriber subscriber = new SseSubscriber("h", "r", "1-0", 3, ready::incrementAndGet);

    @Test
    void everyMessageOnceInOrderIsComplete() {
        deliver(1, 2, 3);

        assertAll(() -> assertTrue(subscriber.complete()), () -> assertEquals(3, subscriber.delivered()),
                () -> assertTrue(subscriber.finished()), () -> assertEquals("9-3", subscriber.lastId),
                () -> assertEquals(2_000_000, subscriber.latencyNanos[2]));
    }

    @Test
    void aMissingMessageIsNotComplete() {
        deliver(1, 3);

        assertAll(() -> assertFalse(subscriber.complete()), () -> assertEquals(2, subscriber.delivered()),
                () -> assertEquals("messages missing", subscriber.why()));
    }

    @Test
    void aRepeatedMessageIsADuplicate() {
        deliver(1, 2, 2, 3);

        assertAll(() -> assertFalse(subscriber.complete()), () -> assertEquals(1, subscriber.duplicates),
                () -> assertEquals(0, subscriber.outOfOrder), () -> assertEquals(3, subscriber.delivered()));
    }

    @Test
    void anEarlierMessageAfterALaterOneIsOutOfOrder() {
        deliver(2, 1, 3);

        assertAll(() -> assertFalse(subscriber.complete()), () -> assertEquals(1, subscriber.outOfOrder),
                () -> assertEquals(0, subscriber.duplicates));
    }

    @Test
    void anotherClientsMessageIsIgnoredButCounted() {
        subscriber.message("{\"id\":\"5-0\",\"room\":\"r\",\"name\":\"alice\",\"text\":\"hi\",\"at\":\"x\"}", 0);
        deliver(1, 2, 3);

        assertAll(() -> assertTrue(subscriber.complete()), () -> assertEquals(1, subscriber.foreign));
    }

    @Test
    void aGapMarkerFailsTheSubscriber() {
        subscriber.message("{\"gap\":true,\"oldest\":\"7-0\"}", 0);

        assertAll(() -> assertFalse(subscriber.complete()), () -> assertTrue(subscriber.finished()),
                () -> assertEquals(1, ready.get(), "a failed subscriber counts as ready: the publisher need not wait"));
    }

    /** Message seq sent at seq ms, received 1 ms later per seq (so its latency is seq ms), id "9-seq". */
    private void deliver(int... seqs) {
        for (int seq : seqs) {
            subscriber.message("{\"id\":\"9-" + seq + "\",\"room\":\"r\",\"name\":\"bench\",\"text\":\"" + seq + ":"
                    + seq * 1_000_000L + "\",\"at\":\"x\"}", seq * 2_000_000L);
        }
    }
}
