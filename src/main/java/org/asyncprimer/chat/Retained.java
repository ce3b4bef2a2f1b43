package org.asyncprimer.chat;

import java.util.Comparator;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The history all rooms of one {@link MemoryBroker} retain together: messages, estimated heap bytes ({@link
 * Message#heapEstimate()}), and each room's oldest message in one oldest-first index, so the broker can drop the
 * globally oldest message when the byte budget is exceeded without looking at every room. Rooms update it under
 * their own lock.
 */
final class Retained {

    /** A room's oldest retained message; ordered by id, ties (same id in two rooms) by room name. */
    record Head(MessageId oldest, Room room) {
    }

    final AtomicLong messages = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final ConcurrentSkipListSet<Head> heads = new ConcurrentSkipListSet<>(
            Comparator.comparing(Head::oldest).thenComparing(head -> head.room().name));

    void added(Message message) {
        messages.incrementAndGet();
        bytes.addAndGet(message.heapEstimate());
    }

    void removed(Message message) {
        messages.decrementAndGet();
        bytes.addAndGet(-message.heapEstimate());
    }
}
