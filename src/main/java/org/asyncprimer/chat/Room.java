package org.asyncprimer.chat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * One room of the {@link MemoryBroker}: its retained history in id order, the ids it has issued, and its
 * subscriptions. Every method that reads or changes the history takes the room's lock, briefly; only
 * {@link #newest()} (a volatile set under the lock with each append) and the subscription set (a concurrent set:
 * {@link #wakeSubscriptions}, {@link #subscriptionCount()}) are read without it. No method calls a subscriber: a
 * publish appends here and then wakes the subscriptions outside the lock, and each subscription reads what it has
 * not yet delivered back from here. That read, and a subscription's start, happen under the same lock as the append,
 * which is what makes "after this id" exact when publishes race with subscribing.
 *
 * <p>A dropped room (idle, never written to and left by its last subscriber, or the broker closed) refuses
 * everything; the broker then opens a fresh one.
 */
final class Room {

    /** Up to {@code messages} after a position; {@code gapFloor} non-null when messages before them are gone. */
    record Batch(MessageId gapFloor, List<Message> messages) {
    }

    /** The newest message and the id issued right before it: whoever is at {@code previous} has only it to take. */
    record Newest(MessageId previous, Message message) {
    }

    final String name;
    private final int historyLimit;
    private final Retained retained;
    private final Set<MemorySubscription> subscriptions = ConcurrentHashMap.newKeySet();
    /** Passes over the subscriptions on the broker's fan-out thread (see {@link #wakeSubscriptions}). */
    private final CoalescedPasses passes = new CoalescedPasses(this::wakeEach);

    // Guarded by this.
    private final NavigableMap<MessageId, Message> history = new TreeMap<>();
    /** Every id up to this one is gone: trimmed, or issued before this broker held the room. */
    private MessageId floor;
    /** Whether any message was ever dropped from this room's history (by its limit or the byte budget). */
    private boolean trimmed;
    /** The newest id issued; the next one is after it. */
    private MessageId last;
    private Retained.Head head;
    /** Set under the lock with each append, read without it: see {@link #newest()}. */
    private volatile Newest newest;
    private long idleSince;
    private boolean dropped;

    Room(String name, long nowMs, int historyLimit, Retained retained) {
        this.name = name;
        this.historyLimit = historyLimit;
        this.retained = retained;
        // Nothing says what this room held before (another process, or before an idle drop): a client resuming
        // from an earlier id may have missed messages, and gets the gap marker.
        this.floor = MessageId.before(nowMs);
        this.last = floor;
        this.idleSince = nowMs;
    }

    /** Stores a message with the next id; null if the room was dropped. */
    synchronized Message append(Draft draft, Instant now) {
        if (dropped) {
            return null;
        }
        MessageId previous = last;
        last = last.next(now.toEpochMilli());
        Message message = new Message(last, name, draft.name(), draft.text(), now);
        history.put(last, message);
        newest = new Newest(previous, message);
        retained.added(message);
        while (history.size() > historyLimit) {
            removeOldest();
        }
        updateHead();
        idleSince = now.toEpochMilli();
        return message;
    }

    /** Registers a subscription at its start position, atomically with appends; false if the room was dropped. */
    synchronized boolean register(MemorySubscription subscription, MessageId since) {
        if (dropped) {
            return false;
        }
        subscription.startAfter(since == null ? last : start(since));
        subscriptions.add(subscription);
        return true;
    }

    /**
     * Unregisters a subscription. When it was the last and the room never held a message, the room is dropped at
     * once (true: the broker forgets it): otherwise plain GETs to as many new names hold every room slot until the
     * idle sweep. Only a room that never appended: one trimmed to empty has issued ids, and a fresh room, which
     * numbers from its opening time, could issue them again.
     */
    synchronized boolean unregister(MemorySubscription subscription, long nowMs) {
        if (!subscriptions.remove(subscription) || !subscriptions.isEmpty()) {
            return false;
        }
        idleSince = nowMs;
        if (dropped || newest != null) {
            return false;
        }
        drop();
        return true;
    }

    /**
     * Wakes the subscriptions after an append, without the lock. A room of at least {@code handOffFrom} is woken on
     * {@code fanOut}, so that the publisher's answer does not wait for thousands of writes (issue #11: ~150 ms at
     * 10 000); a smaller one on the caller's thread, where a hand-off would cost more than it saves. Passes asked
     * while one is queued or running coalesce ({@link CoalescedPasses}). A broker that is closing refuses the
     * hand-off, and the caller wakes them, as for a small room.
     */
    void wakeSubscriptions(Executor fanOut, int handOffFrom) {
        if (subscriptions.size() < handOffFrom || !passes.request(fanOut)) {
            wakeEach();
        }
    }

    private void wakeEach() {
        for (MemorySubscription subscription : subscriptions) { // a concurrent set: no lock
            subscription.wake();
        }
    }

    int subscriptionCount() {
        return subscriptions.size();
    }

    /**
     * The newest message appended, without the lock; null before the first. A subscription whose position is its
     * {@code previous} id has exactly that message to take next (ids are issued in order, and the one after
     * {@code previous} is it), and one at its id has nothing: the live fan-out needs no {@link #after} read, no
     * lock and no list per delivery. Anyone elsewhere, or behind a gap, reads with {@link #after}.
     */
    Newest newest() {
        return newest;
    }

    /** Up to {@code max} messages after {@code position}, and whether any after it are gone before them. */
    synchronized Batch after(MessageId position, int max) {
        // This runs once per delivery (10 000 times a publish in issue #11's run), so it allocates for the usual
        // read, a live subscriber's one new message: a small list, and no tail-map view and iterator.
        List<Message> messages = new ArrayList<>(Math.min(max, 4));
        for (Map.Entry<MessageId, Message> next = history.higherEntry(position);
                next != null && messages.size() < max; next = history.higherEntry(next.getKey())) {
            messages.add(next.getValue());
        }
        return new Batch(position.compareTo(floor) < 0 ? floor : null, messages);
    }

    /** {@link Broker#read}: like a subscription's first read, positions this room never issued included. */
    synchronized Broker.Backlog read(MessageId after, int limit) {
        Batch batch = after(start(after), limit);
        return new Broker.Backlog(batch.gapFloor() != null && !batch.messages().isEmpty(), batch.messages());
    }

    /** Drops the oldest message if {@code expected} is still this room's head (the byte budget's trim). */
    synchronized void trimOldest(Retained.Head expected) {
        if (!dropped && expected.equals(head)) {
            removeOldest();
            updateHead();
        }
    }

    /** Drops the room if nobody has published or listened for {@code idleMs}. */
    synchronized boolean dropIfIdle(long nowMs, long idleMs) {
        if (dropped || !subscriptions.isEmpty() || nowMs - idleSince < idleMs) {
            return false;
        }
        drop();
        return true;
    }

    /** Drops the room with its history, and returns the subscriptions it had (for the broker to close). */
    synchronized List<MemorySubscription> drop() {
        dropped = true;
        history.values().forEach(retained::removed);
        history.clear();
        updateHead();
        List<MemorySubscription> had = new ArrayList<>(subscriptions);
        subscriptions.clear();
        return had;
    }

    /**
     * Where reading after {@code since} starts. An id this room never reached is not from its history: from the
     * oldest retained, after a gap marker. {@link MessageId#ZERO}, "from the start", misses nothing while the room
     * has dropped nothing (a page that joins with 0-0 must not be told that earlier messages are gone); any other
     * id from before the room was opened here may have seen messages this broker never held, so it keeps the gap.
     */
    private MessageId start(MessageId since) {
        if (since.compareTo(last) > 0) {
            return MessageId.ZERO;
        }
        return since.equals(MessageId.ZERO) && !trimmed ? floor : since;
    }

    private void removeOldest() {
        Map.Entry<MessageId, Message> oldest = history.pollFirstEntry();
        floor = oldest.getKey();
        trimmed = true;
        retained.removed(oldest.getValue());
    }

    /** Keeps this room's entry in the broker's oldest-first index equal to its oldest message. */
    private void updateHead() {
        Retained.Head now = history.isEmpty() ? null : new Retained.Head(history.firstKey(), this);
        if (now == null ? head != null : !now.equals(head)) {
            if (head != null) {
                retained.heads.remove(head);
            }
            if (now != null) {
                retained.heads.add(now);
            }
            head = now;
        }
    }
}
