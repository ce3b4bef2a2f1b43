package org.asyncprimer.chat;

import java.util.Comparator;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The history all rooms of one {@link MemoryBroker} retain together: messages, estimated heap bytes, and each
 * room's oldest message in one oldest-first index, so the broker can drop the globally oldest message when the
 * byte budget is exceeded without looking at every room. Rooms update it under their own lock.
 */
final class Retained {

    /** A room's oldest retained message; ordered by id, ties (same id in two rooms) by room name. */
    record Head(MessageId oldest, Room room) {
    }

    final AtomicLong messages = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final ConcurrentSkipListSet<Head> heads = new ConcurrentSkipListSet<>(
            Comparator.comparing(Head::oldest).thenComparing(head -> head.room().name));

    /**
     * An estimate of the heap a retained message takes: two bytes per character of name and text (a Java
     * string's worst case), plus 160 for the message, its id, time and strings, and the history's map entry;
     * and the same again twice, plus 120 each, for the JSON the message keeps once a transport has sent it (as a
     * string and as UTF-8 bytes, each the name and text with about 110 characters of fields and quotes); and once
     * more, plus 180, for the Server-Sent Event built from those bytes once a stream has sent it (its id and event
     * lines around the JSON).
     */
    static long sizeOf(Message message) {
        long chars = message.name().length() + message.text().length();
        return 2 * chars + 160 + 2 * (2 * chars + 120) + (2 * chars + 180);
    }

    void added(Message message) {
        messages.incrementAndGet();
        bytes.addAndGet(sizeOf(message));
    }

    void removed(Message message) {
        messages.decrementAndGet();
        bytes.addAndGet(-sizeOf(message));
    }
}
