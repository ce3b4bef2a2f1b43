package org.asyncprimer.chat;

import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.asyncprimer.metrics.ChatMeters;

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

    /** {@code publishedAt}: the message's time as the broker stamped it; null for what is not a message. */
    private record Entry<T>(T item, int bytes, Instant publishedAt) {
    }

    private final Bounds bounds;
    /** Told of each message as it leaves for the client (poll), with its publish time; null: not metered. */
    private final ChatMeters.Delivery delivery;
    private final Queue<Entry<T>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger items = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();

    Outbox(Bounds bounds) {
        this(bounds, null);
    }

    Outbox(Bounds bounds, ChatMeters.Delivery delivery) {
        this.bounds = bounds;
        this.delivery = delivery;
    }

    /** Adds the item unless that would pass a bound; {@code size} is what it counts against the byte bound. */
    boolean offer(T item, int size) {
        return offer(item, size, null);
    }

    /** The same for a message published at {@code publishedAt}: its delivery is metered when it is polled. */
    boolean offer(T item, int size, Instant publishedAt) {
        // Reserve first, so that two producers cannot both squeeze past a bound.
        int count = items.incrementAndGet();
        long total = bytes.addAndGet(size);
        if (count > 1 && (count > bounds.items() || total > bounds.bytes())) {
            items.decrementAndGet();
            bytes.addAndGet(-size);
            return false;
        }
        queue.add(new Entry<>(item, size, publishedAt));
        return true;
    }

    T peek() {
        Entry<T> head = queue.peek();
        return head == null ? null : head.item();
    }

    /** The head, leaving for the client. */
    T poll() {
        Entry<T> head = remove();
        if (head == null) {
            return null;
        }
        if (delivery != null && head.publishedAt() != null) {
            delivery.delivered(head.publishedAt());
        }
        return head.item();
    }

    void clear() {
        while (remove() != null) {
            // dropping what the client will not get (not a delivery); it resumes from the last id it got
        }
    }

    private Entry<T> remove() {
        Entry<T> head = queue.poll();
        if (head != null) {
            items.decrementAndGet();
            bytes.addAndGet(-head.bytes());
        }
        return head;
    }

    long bytes() {
        return bytes.get();
    }

    /** Holding half of either bound or more: a producer that batches its writes should write now. */
    boolean halfFull() {
        return items.get() * 2 >= bounds.items() || bytes.get() * 2 >= bounds.bytes();
    }
}
