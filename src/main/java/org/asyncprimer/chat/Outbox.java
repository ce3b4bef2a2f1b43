package org.asyncprimer.chat;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one client's connection holds on the way out, bounded in items and in bytes like {@code /fetch}'s
 * queue: {@link #offer} refuses what would go past either bound, and the transport then ends the client (which
 * resumes from the last id it got) rather than buffer without limit for a client that does not keep up. A single
 * item larger than the byte bound still goes alone into an empty outbox. Any thread may offer; one consumer
 * peeks and polls.
 */
final class Outbox<T> {

    /** At most {@code items} and {@code bytes} held for one client. */
    record Bounds(int items, int bytes) {
    }

    private record Entry<T>(T item, int bytes) {
    }

    private final Bounds bounds;
    private final Queue<Entry<T>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger items = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();

    Outbox(Bounds bounds) {
        this.bounds = bounds;
    }

    /** Adds the item unless that would pass a bound; {@code size} is what it counts against the byte bound. */
    boolean offer(T item, int size) {
        // Reserve first, so that two producers cannot both squeeze past a bound.
        int count = items.incrementAndGet();
        long total = bytes.addAndGet(size);
        if (count > 1 && (count > bounds.items() || total > bounds.bytes())) {
            items.decrementAndGet();
            bytes.addAndGet(-size);
            return false;
        }
        queue.add(new Entry<>(item, size));
        return true;
    }

    T peek() {
        Entry<T> head = queue.peek();
        return head == null ? null : head.item();
    }

    T poll() {
        Entry<T> head = queue.poll();
        if (head == null) {
            return null;
        }
        items.decrementAndGet();
        bytes.addAndGet(-head.bytes());
        return head.item();
    }

    void clear() {
        while (poll() != null) {
            // dropping what the client will not get; it resumes from the last id it got
        }
    }

    long bytes() {
        return bytes.get();
    }
}
