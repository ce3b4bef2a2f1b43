package org.asyncprimer.chat.redis;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.asyncprimer.chat.MessageId;
import org.asyncprimer.chat.Subscriber;
import org.asyncprimer.chat.Subscription;

/**
 * A subscription to a room through Redis: a position in the room's stream (the last id taken) that delivery
 * moves along, as in the in-memory broker. The {@link StreamReader} wakes it when it has appended entries to the
 * room's {@link Feed}; it then reads what follows its position from the feed's tail. Behind the tail it reads from
 * Redis ({@code XRANGE}, one batch at a time): delivery stops until the batch is in, then goes on. A paused
 * subscription holds nothing but its position: a refused batch is dropped and read again on resume.
 *
 * <p>Until its start position is known (the room's newest id, or a checked {@code since}) it delivers nothing.
 * One thread delivers at a time, as in {@code MemorySubscription}: whoever wakes it while another thread is
 * delivering leaves the work to that thread, so callbacks never overlap and messages come in order.
 */
final class RedisSubscription implements Subscription {

    private static final System.Logger LOG = System.getLogger(RedisSubscription.class.getName());
    private static final int BATCH = 64;
    /** How long a subscription behind the tail waits before reading Redis again after a failed read. */
    static final long RETRY_MS = 500;

    /**
     * How a subscription ended: cancelled by its transport, or closed by the broker with this cause; one that
     * could not start is reported on the first resume, as one refused at once is.
     */
    private record Ending(Throwable cause, boolean notBeforeResume) {
    }

    /** What a read from Redis brought: the batch after {@code from}, or null when it failed (read again). */
    private record Read(MessageId from, Feed.Batch batch) {
    }

    private static final Ending CANCELLED = new Ending(null, false);

    private final Feed feed;
    private final Subscriber subscriber;
    private final Store store;
    private final ScheduledExecutorService timers;
    /** Where a batch read from Redis is delivered: not the command thread that completes the read. */
    private final Executor fanOut;
    private final Consumer<RedisSubscription> onEnd;
    private final AtomicReference<Ending> ending = new AtomicReference<>();
    private final AtomicInteger drainers = new AtomicInteger();
    /** Counts {@link #resume()} calls; delivery is paused while it equals {@link #pausedAt}. */
    private final AtomicLong resumes = new AtomicLong();
    /** A finished read from Redis, handed from the thread that got it to the one delivering. */
    private final AtomicReference<Read> arrived = new AtomicReference<>();

    /** Null until started. */
    private volatile MessageId position;
    /** The start id was not from this room's history: the first batch gets the gap marker, whatever it holds. */
    private volatile boolean gapFirst;
    // Only the thread that holds the drain touches these; the drainers counter orders one holder after the next.
    private long pausedAt;
    private boolean closedDelivered;
    private boolean reading;

    RedisSubscription(Feed feed, Subscriber subscriber, Store store, ScheduledExecutorService timers,
                      Executor fanOut, Consumer<RedisSubscription> onEnd) {
        this.feed = feed;
        this.subscriber = subscriber;
        this.store = store;
        this.timers = timers;
        this.fanOut = fanOut;
        this.onEnd = onEnd;
    }

    /** A subscription that could not start: the first resume reports why. */
    static RedisSubscription failed(Subscriber subscriber, RuntimeException cause) {
        RedisSubscription failed = new RedisSubscription(null, subscriber, null, null, null, ended -> { });
        failed.ending.set(new Ending(cause, true));
        return failed;
    }

    /** Fixes the start: delivery begins after {@code after}, with a gap marker first when {@code gap}. */
    void start(MessageId after, boolean gap) {
        gapFirst = gap;
        position = after;
        drain();
    }

    @Override
    public void resume() {
        resumes.incrementAndGet();
        drain();
    }

    /** The reader appended entries to the feed: deliver them unless paused. */
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
        end(new Ending(cause, false));
    }

    /** The subscription cannot start (Redis could not say where): {@code onClosed(cause)} on the first resume. */
    void refuse(Throwable cause) {
        end(new Ending(cause, true));
    }

    private void end(Ending end) {
        if (ending.compareAndSet(null, end)) {
            onEnd.accept(this);
            drain();
        }
    }

    Feed feed() {
        return feed;
    }

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
                close(thrown); // a broken subscriber must not break the reader that woke it
            }
        } while (drainers.decrementAndGet() != 0);
    }

    private void deliver() {
        Feed.Batch read = null;
        for (;;) {
            Ending end = ending.get();
            if (end != null) {
                if (end != CANCELLED && !closedDelivered && !(end.notBeforeResume() && resumes.get() == 0)) {
                    closedDelivered = true;
                    notifyClosed(end.cause());
                }
                return;
            }
            MessageId at = position;
            if (at == null) {
                return; // not started
            }
            Read got = arrived.getAndSet(null);
            if (got != null) {
                reading = false;
                read = got.batch() != null && got.from().equals(at) ? got.batch() : null;
            }
            if (reading) {
                return; // the read's completion drains again
            }
            // Read before each callback: a resume that comes while the callback refuses is not lost.
            long demand = resumes.get();
            if (demand == pausedAt) {
                return;
            }
            Feed.Batch batch = read != null ? read : feed.after(at, BATCH);
            read = null;
            if (batch == null) {
                readFromRedis(at);
                return;
            }
            if (batch.entries().isEmpty()) {
                subscriber.onCaughtUp();
                return;
            }
            Entry first = batch.entries().get(0);
            if (batch.gap() || gapFirst) {
                if (!subscriber.onGap(first.id())) {
                    pausedAt = demand;
                    continue;
                }
                gapFirst = false;
                position = first.prev(); // the first entry follows it: no second marker on the next read
            }
            for (Entry entry : batch.entries()) {
                if (ending.get() != null) {
                    break;
                }
                if (!subscriber.onMessage(entry.message())) {
                    pausedAt = demand;
                    break;
                }
                position = entry.id();
            }
        }
    }

    /**
     * Reads the batch after {@code at} from Redis; its completion drains again (after a pause if it failed). The
     * read has no timeout of the app's (see {@link Store#catchUp}): one sent again while Redis has not answered the
     * last would only pile up behind it, so there is one at most outstanding, and it is sent again only once done.
     */
    private void readFromRedis(MessageId at) {
        reading = true;
        store.catchUp(feed.room, at, BATCH, () -> ending.get() == null).whenComplete((entries, failure) -> {
            if (failure == null) {
                boolean gap = !entries.isEmpty() && !entries.get(0).prev().equals(at);
                arrived.set(new Read(at, new Feed.Batch(gap, entries)));
                drainOnFanOut();
            } else if (ending.get() == null) {
                // Redis is away: the subscriber stays, and reads again a little later.
                timers.schedule(() -> {
                    arrived.set(new Read(at, null));
                    drain();
                }, RETRY_MS, TimeUnit.MILLISECONDS);
            }
        });
    }

    /**
     * Drains on the node's fan-out thread: a read's completion runs on the thread that sends every command, and
     * delivering a batch there would hold up the node's publishes (as the fan-out did, issue #12).
     */
    private void drainOnFanOut() {
        try {
            fanOut.execute(this::drain);
        } catch (RejectedExecutionException closing) {
            drain(); // the broker is closing: this delivers the close, if nothing else does
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
