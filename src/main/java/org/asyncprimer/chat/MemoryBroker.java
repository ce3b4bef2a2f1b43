package org.asyncprimer.chat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The broker that keeps every room in this JVM: the last {@code history} messages per room, all rooms together
 * within {@code maxRetainedBytes} (the globally oldest messages go first), at most {@code maxRooms} rooms, and
 * rooms idle for {@code roomIdle} dropped by a sweep on the caller's scheduler (a room that never held a message
 * goes as soon as its last subscriber leaves). Publishing completes at once:
 * a room of {@link #HAND_OFF_FROM} subscribers or more is woken on the broker's one fan-out thread, a smaller one
 * on the publisher's thread (see {@link Room#wakeSubscriptions}, {@link MemorySubscription}).
 */
public final class MemoryBroker implements Broker {

    /** A room with at least this many subscriptions is woken on the fan-out thread, not the publisher's. */
    static final int HAND_OFF_FROM = 64;

    private final ChatSettings settings;
    private final Clock clock;
    private final ConcurrentMap<String, Room> rooms = new ConcurrentHashMap<>();
    private final AtomicInteger roomCount = new AtomicInteger();
    private final Retained retained = new Retained();
    private final AtomicInteger trimmers = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ScheduledFuture<?> sweeper;
    /** Wakes large rooms' subscriptions: one thread for all rooms, its queue at most one task per room. */
    private final ThreadPoolExecutor fanOut;
    private final NamedThreads fanOutThreads = new NamedThreads("async-primer-chat-fanout-");
    private final int handOffFrom;

    /** Starts the idle-room sweep on {@code scheduler}; {@link #close()} stops it. */
    public MemoryBroker(ChatSettings settings, Clock clock, ScheduledExecutorService scheduler) {
        this(settings, clock, scheduler, HAND_OFF_FROM);
    }

    /** As above, with rooms of {@code handOffFrom} subscriptions or more woken on the fan-out thread. */
    MemoryBroker(ChatSettings settings, Clock clock, ScheduledExecutorService scheduler, int handOffFrom) {
        this.settings = settings;
        this.clock = clock;
        this.handOffFrom = handOffFrom;
        this.fanOut = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                fanOutThreads);
        // Started now, not at the first large room: a thread that appears under load and stays looks like a leak
        // (ChurnIT compares the server's threads before and after a churn).
        fanOut.prestartAllCoreThreads();
        long every = settings.sweepEvery().toMillis();
        this.sweeper = scheduler.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletionStage<Message> publish(String name, Draft draft) {
        Room room;
        Message message;
        try {
            for (;;) {
                room = open(name);
                message = room.append(draft, clock.instant().truncatedTo(ChronoUnit.MILLIS));
                if (message != null) {
                    break;
                }
                forget(room); // dropped while we were getting it: open a fresh one
            }
        } catch (Unavailable refused) {
            return CompletableFuture.failedStage(refused);
        }
        trimToBudget();
        room.wakeSubscriptions(fanOut, handOffFrom);
        return CompletableFuture.completedStage(message);
    }

    @Override
    public CompletionStage<Backlog> read(String name, MessageId after, int limit) {
        Room room = rooms.get(name);
        return CompletableFuture.completedStage(room == null ? new Backlog(false, List.of()) : room.read(after, limit));
    }

    @Override
    public Subscription subscribe(String name, MessageId since, Subscriber subscriber) {
        for (;;) {
            Room room;
            try {
                room = open(name);
            } catch (Unavailable refused) {
                return MemorySubscription.failed(subscriber, refused);
            }
            MemorySubscription subscription = new MemorySubscription(room, subscriber, this::ended);
            if (room.register(subscription, since)) {
                return subscription;
            }
            forget(room);
        }
    }

    @Override
    public Counts counts() {
        int subscribers = rooms.values().stream().mapToInt(Room::subscriptionCount).sum();
        return new Counts(roomCount.get(), retained.messages.get(), retained.bytes.get(), subscribers);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        sweeper.cancel(false);
        for (Room room : rooms.values()) {
            for (MemorySubscription subscription : room.drop()) {
                subscription.close(null);
            }
            forget(room);
        }
        fanOut.shutdown();
        try {
            if (!fanOut.awaitTermination(2, TimeUnit.SECONDS)) {
                fanOut.shutdownNow();
            }
            // The container checks for threads left behind right after undeploy.
            fanOutThreads.join(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Drops every room that has had no publish and no subscriber for {@code roomIdle}. */
    void sweep() {
        long now = clock.millis();
        for (Room room : rooms.values()) {
            if (room.dropIfIdle(now, settings.roomIdle().toMillis())) {
                forget(room);
            }
        }
    }

    /** The room by that name, opened if there is none; the caller must expect it to be dropped meanwhile. */
    private Room open(String name) {
        return rooms.computeIfAbsent(name, absent -> {
            if (closed.get()) {
                throw new Unavailable("the chat is shutting down", null);
            }
            if (roomCount.incrementAndGet() > settings.maxRooms()) {
                roomCount.decrementAndGet();
                throw new TooManyRooms(settings.maxRooms());
            }
            return new Room(absent, clock.millis(), settings.history(), retained);
        });
    }

    /** Removes a dropped room from the map, once, whoever gets here first. */
    private void forget(Room room) {
        if (rooms.remove(room.name, room)) {
            roomCount.decrementAndGet();
        }
    }

    private void ended(MemorySubscription subscription) {
        Room room = subscription.room();
        if (room.unregister(subscription, clock.millis())) {
            forget(room);
        }
    }

    /**
     * Drops the globally oldest messages while all rooms together retain more than the budget. One thread trims
     * at a time; a publisher that finds another trimming leaves its excess to it (the loop runs again).
     */
    private void trimToBudget() {
        if (trimmers.getAndIncrement() != 0) {
            return;
        }
        do {
            while (retained.bytes.get() > settings.maxRetainedBytes()) {
                Retained.Head oldest = retained.heads.pollFirst();
                if (oldest == null) {
                    break;
                }
                oldest.room().trimOldest(oldest);
            }
        } while (trimmers.decrementAndGet() != 0);
    }
}
