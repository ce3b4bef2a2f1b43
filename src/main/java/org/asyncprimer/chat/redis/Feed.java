package org.asyncprimer.chat.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.asyncprimer.chat.CoalescedPasses;
import org.asyncprimer.chat.MessageId;

/**
 * One room as a node that has subscribers in it holds it: its subscriptions, and a tail of the room's newest
 * stream entries, which the {@link StreamReader} appends to as it reads them from Redis. Subscriptions read what
 * follows their position from this tail, so a message costs Redis one read per node, not one per subscriber;
 * only a subscription behind the tail (a paused one, or one resuming from an old id) reads from Redis itself.
 *
 * <p>The tail is contiguous: it holds every entry of the stream after {@link #floor} up to {@code top}, the
 * newest id the reader has seen. It keeps at most {@code tailLimit} entries, and all tails of a node together
 * stay within the byte budget, trimmed oldest first (each keeps at least its newest entry).
 *
 * <p>Every method that reads or changes the tail or its positions takes the feed's lock briefly; the subscription
 * set (a concurrent set: {@link #subscriptions()}, {@link #subscriptionCount()}) and the join's future are used
 * without it. No method calls a subscriber. A dropped feed (idle, empty and left by its last subscriber, or the
 * broker closed) refuses new subscriptions; the broker then opens a fresh one.
 */
final class Feed {

    /** Entries after a position; {@code gap}: some entries between the position and the first of them are gone. */
    record Batch(boolean gap, List<Entry> entries) {
        static final Batch EMPTY = new Batch(false, List.of());
    }

    /** What all tails of a node hold together. */
    static final class Budget {
        final AtomicLong messages = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final long maxBytes;

        Budget(long maxBytes) {
            this.maxBytes = maxBytes;
        }
    }

    final String room;
    private final int tailLimit;
    private final Budget budget;
    private final Set<RedisSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    /** Passes over the subscriptions on the node's fan-out thread (see {@link #wakeSubscriptions}). */
    private final CoalescedPasses passes = new CoalescedPasses(this::wakeEach);
    /** Completes when the room's newest id is known (see {@link #join}), or fails when Redis could not say. */
    private final CompletableFuture<Void> joined = new CompletableFuture<>();

    // Guarded by this.
    private final List<Entry> tail = new ArrayList<>();
    /** The newest id the reader has read up to; null until joined. */
    private MessageId top;
    /** The newest id this node's own publishes got back: "published before" a subscription, even if not read yet. */
    private MessageId acknowledged = MessageId.ZERO;
    private long idleSince;
    private boolean dropped;

    Feed(String room, int tailLimit, Budget budget, long nowMs) {
        this.room = room;
        this.tailLimit = tailLimit;
        this.budget = budget;
        this.idleSince = nowMs;
    }

    /**
     * The room's newest id when the node opened it ({@code 0-0}: Redis has no such room yet): the reader reads
     * what comes after it, and subscriptions without an id start there.
     */
    void join(MessageId newest) {
        synchronized (this) {
            top = newest;
        }
        joined.complete(null);
    }

    void failToJoin(Throwable cause) {
        joined.completeExceptionally(cause);
    }

    CompletableFuture<Void> joined() {
        return joined;
    }

    /** Where the reader goes on from; null until joined. */
    synchronized MessageId top() {
        return top;
    }

    /** Everything this node knows to have been published: what the reader saw and what its publishes stored. */
    synchronized MessageId newest() {
        return top.compareTo(acknowledged) > 0 ? top : acknowledged;
    }

    synchronized void acknowledged(MessageId id) {
        if (id.compareTo(acknowledged) > 0) {
            acknowledged = id;
        }
    }

    /**
     * Adds what the reader read after {@code top}, in stream order. An entry whose {@code prev} is not the tail's
     * newest means the reader fell behind a trim (entries in between are gone): the tail starts over from it, and
     * subscriptions that were before it read from Redis and get the gap marker. False if nothing was added.
     */
    synchronized boolean append(List<Entry> entries) {
        boolean added = false;
        for (Entry entry : entries) {
            if (dropped || top == null || entry.id().compareTo(top) <= 0) {
                continue;
            }
            if (!entry.prev().equals(top)) {
                while (!tail.isEmpty()) {
                    removeOldest();
                }
            }
            tail.add(entry);
            budget.messages.incrementAndGet();
            budget.bytes.addAndGet(entry.size());
            top = entry.id();
            added = true;
        }
        while (tail.size() > tailLimit || (tail.size() > 1 && budget.bytes.get() > budget.maxBytes)) {
            removeOldest();
        }
        return added;
    }

    /**
     * Up to {@code max} entries after {@code position} from the tail, or null when the position is before the
     * tail: the subscription must read from Redis.
     */
    synchronized Batch after(MessageId position, int max) {
        if (position.compareTo(floor()) < 0) {
            return null;
        }
        int from = firstAfter(position);
        if (from == tail.size()) {
            return Batch.EMPTY;
        }
        List<Entry> entries = List.copyOf(tail.subList(from, Math.min(tail.size(), from + max)));
        return new Batch(!entries.get(0).prev().equals(position), entries);
    }

    /** Every entry after this id, up to {@code top}, is in the tail. */
    private MessageId floor() {
        return tail.isEmpty() ? top : tail.get(0).prev();
    }

    /** The index of the first tail entry after {@code position} (a binary search: the tail is in id order). */
    private int firstAfter(MessageId position) {
        int low = 0;
        int high = tail.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (tail.get(mid).id().compareTo(position) <= 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private void removeOldest() {
        Entry oldest = tail.remove(0);
        budget.messages.decrementAndGet();
        budget.bytes.addAndGet(-oldest.size());
    }

    /** Registers a subscription; false if the feed was dropped. */
    synchronized boolean register(RedisSubscription subscription) {
        if (dropped) {
            return false;
        }
        subscriptions.add(subscription);
        return true;
    }

    /**
     * Unregisters a subscription. When it was the last and the tail holds nothing, the feed is dropped at once
     * (true: the broker forgets it), so that plain GETs to as many new names do not hold every room slot until the
     * idle sweep. The room is Redis's: a subscription that comes later opens a fresh feed, which asks Redis for the
     * newest id again. A feed with a tail stays for the idle time, for the long-poll that comes back for more.
     */
    synchronized boolean unregister(RedisSubscription subscription, long nowMs) {
        if (!subscriptions.remove(subscription) || !subscriptions.isEmpty()) {
            return false;
        }
        idleSince = nowMs;
        if (dropped || !tail.isEmpty()) {
            return false;
        }
        drop();
        return true;
    }

    synchronized boolean dropped() {
        return dropped;
    }

    /**
     * Wakes the subscriptions on {@code fanOut}, not on the caller's thread, after an append; passes asked while
     * one is queued or running coalesce ({@link CoalescedPasses}). A broker that is closing refuses the pass, and
     * closes every subscription itself.
     */
    void wakeSubscriptions(Executor fanOut) {
        passes.request(fanOut);
    }

    private void wakeEach() {
        for (RedisSubscription subscription : subscriptions) { // a concurrent set: no lock
            subscription.wake();
        }
    }

    int subscriptionCount() {
        return subscriptions.size();
    }

    /** Drops the feed if it has had no subscriber for {@code idleMs}. */
    synchronized boolean dropIfIdle(long nowMs, long idleMs) {
        if (dropped || !subscriptions.isEmpty() || nowMs - idleSince < idleMs) {
            return false;
        }
        drop();
        return true;
    }

    /** Drops the feed and its tail; returns the subscriptions it had, for the broker to close. */
    synchronized List<RedisSubscription> drop() {
        dropped = true;
        while (!tail.isEmpty()) {
            removeOldest();
        }
        List<RedisSubscription> had = new ArrayList<>(subscriptions);
        subscriptions.clear();
        return had;
    }
}
