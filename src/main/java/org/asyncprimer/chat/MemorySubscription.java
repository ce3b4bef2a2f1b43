package org.asyncprimer.chat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A subscription to a {@link Room}: a position in its history (the last id taken) that delivery moves along.
 * There is no per-subscriber queue: a publish only wakes the subscription, which reads what comes after its
 * position back from the room and hands it to the subscriber until the subscriber says it has no room. A
 * paused subscription costs nothing but its position; resuming reads on from there.
 *
 * <p>Publishers, the transport's resume and the broker's close may all wake a subscription at once, on
 * different threads. {@link #drain()} lets one of them deliver at a time without a lock (the others leave the
 * work to it), so the subscriber's callbacks never overlap and always see the messages in order.
 */
final class MemorySubscription implements Subscription {

    private static final System.Logger LOG = System.getLogger(MemorySubscription.class.getName());
    private static final int BATCH = 64;

    /** How a subscription ended: cancelled by its transport, or closed by the broker with this cause. */
    private record Ending(Throwable cause) {
    }

    private static final Ending CANCELLED = new Ending(null);

    private final Room room;
    private final Subscriber subscriber;
    private final Consumer<MemorySubscription> onEnd;
    private final AtomicReference<Ending> ending = new AtomicReference<>();
    private final AtomicInteger drainers = new AtomicInteger();
    /** Counts {@link #resume()} calls; delivery is paused while it equals {@link #pausedAt}. */
    private final AtomicLong resumes = new AtomicLong();

    private volatile MessageId position;
    // Only the thread that holds the drain touches these; the drainers counter orders one holder after the next.
    private long pausedAt;
    private boolean closedDelivered;

    MemorySubscription(Room room, Subscriber subscriber, Consumer<MemorySubscription> onEnd) {
        this.room = room;
        this.subscriber = subscriber;
        this.onEnd = onEnd;
    }

    /** A subscription that could not start: the first resume reports why. */
    static MemorySubscription failed(Subscriber subscriber, RuntimeException cause) {
        MemorySubscription failed = new MemorySubscription(null, subscriber, ended -> { });
        failed.ending.set(new Ending(cause));
        return failed;
    }

    /** Called by the room, under its lock, as it registers this subscription. */
    void startAfter(MessageId start) {
        position = start;
    }

    @Override
    public void resume() {
        resumes.incrementAndGet();
        drain();
    }

    /** A publish appended to the room: deliver it unless paused. */
    void wake() {
        drain();
    }

    @Override
    public void cancel() {
        if (ending.compareAndSet(null, CANCELLED)) {
            onEnd.accept(this);
        }
    }

    /** The broker ends the subscription; the subscriber hears {@code onClosed(cause)} unless it cancelled first. */
    void close(Throwable cause) {
        if (ending.compareAndSet(null, new Ending(cause))) {
            onEnd.accept(this);
            drain();
        }
    }

    Room room() {
        return room;
    }

    /** One thread delivers at a time; a caller that finds another delivering leaves the work to it. */
    private void drain() {
        if (drainers.getAndIncrement() != 0) {
            return;
        }
        do {
            try {
                deliver();
                if (ending.get() == null) {
                    subscriber.onDelivered();
                }
            } catch (RuntimeException thrown) {
                close(thrown); // a broken subscriber must not break the publisher that woke it
            }
        } while (drainers.decrementAndGet() != 0);
    }

    private void deliver() {
        for (;;) {
            Ending end = ending.get();
            if (end != null) {
                if (end != CANCELLED && !closedDelivered) {
                    closedDelivered = true;
                    notifyClosed(end.cause());
                }
                return;
            }
            // Read before each callback: a resume that comes while the callback refuses is not lost.
            long demand = resumes.get();
            if (demand == pausedAt) {
                return;
            }
            Room.Newest newest = room.newest();
            if (newest != null && newest.message().id().equals(position)) {
                subscriber.onCaughtUp(); // a publish after this read wakes us, and drain() goes round again
                return;
            }
            if (newest != null && newest.previous().equals(position)) {
                // Live, one behind: the publisher's message is the next one (issue #11: no lock, no read per delivery).
                if (subscriber.onMessage(newest.message())) {
                    position = newest.message().id();
                } else {
                    pausedAt = demand;
                }
                continue;
            }
            Room.Batch batch = room.after(position, BATCH);
            if (batch.messages().isEmpty()) {
                subscriber.onCaughtUp();
                return;
            }
            if (batch.gapFloor() != null) {
                if (!subscriber.onGap(batch.messages().get(0).id())) {
                    pausedAt = demand;
                    continue;
                }
                position = batch.gapFloor();
            }
            int taken = 0;
            for (Message message : batch.messages()) {
                if (ending.get() != null) {
                    break;
                }
                if (!subscriber.onMessage(message)) {
                    pausedAt = demand;
                    break;
                }
                position = message.id();
                taken++;
            }
            if (taken == batch.messages().size() && taken < BATCH) {
                // The room had no more when we read it: caught up, without taking its lock again to be told so
                // (a publish after that read wakes us, and drain() goes round once more for it). Issue #11: at
                // 10 000 subscribers that second read was one more lock and tree walk per delivery.
                subscriber.onCaughtUp();
                return;
            }
        }
    }

    private void notifyClosed(Throwable cause) {
        try {
            subscriber.onClosed(cause);
        } catch (RuntimeException thrown) {
            LOG.log(System.Logger.Level.WARNING, "chat subscriber failed while being closed", thrown);
        }
    }
}
