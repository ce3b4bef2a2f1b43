package org.asyncprimer.chat.redis;

import io.lettuce.core.RedisURI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.asyncprimer.chat.Broker;
import org.asyncprimer.chat.ChatSettings;
import org.asyncprimer.chat.Draft;
import org.asyncprimer.chat.Message;
import org.asyncprimer.chat.MessageId;
import org.asyncprimer.chat.NamedThreads;
import org.asyncprimer.chat.Subscriber;
import org.asyncprimer.chat.Subscription;

/**
 * The broker that keeps rooms in Redis Streams, so that every node of a cluster serves the same rooms: a publish
 * is an {@code XADD} (through a small script, see {@link Store}) that completes once Redis has acknowledged it,
 * and the message id is the stream id, the same on every node. Each node holds two connections whatever its
 * number of clients ({@link Connections}); one loop per node reads new entries of the rooms it has subscribers in
 * ({@link StreamReader}) into each room's in-memory tail ({@link Feed}), from which that node's subscriptions
 * read ({@link RedisSubscription}).
 *
 * <p>Limits, as the in-memory broker has them: a room keeps about {@code history} messages in Redis (at least
 * that many); a room with no publish for {@code roomIdle}, and no subscriber on any node, expires in Redis; a
 * node holds at most {@code maxRooms} rooms with subscribers (a subscription to one more is refused with
 * {@link TooManyRooms}; publishing opens nothing on the node and is never refused for it), and drops a room that
 * has had no subscriber of its own for {@code roomIdle}, or at once when its tail is empty; the tails of all its
 * rooms stay within {@code maxRetainedBytes}.
 *
 * <p>When Redis is away, publishing and reading fail within {@link Connections#COMMAND_TIMEOUT} with
 * {@link Unavailable}, subscriptions stay open and wait, and {@link #connected()} is false; when it is back,
 * each node reads on from the last id it had, so subscribers get everything that was acknowledged, once each.
 */
public final class RedisBroker implements Broker {

    private static final System.Logger LOG = System.getLogger(RedisBroker.class.getName());
    /** Entries each room's tail keeps on a node (fewer when the history is shorter). */
    static final int TAIL = 128;

    private final ChatSettings settings;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor executor;
    /** Wakes the subscriptions of rooms the reader appended to: see {@link StreamReader}. */
    private final ThreadPoolExecutor fanOut;
    private final Connections connections;
    private final Store store;
    private final StreamReader reader;
    private final ConcurrentMap<String, Feed> feeds = new ConcurrentHashMap<>();
    private final AtomicInteger feedCount = new AtomicInteger();
    private final Feed.Budget budget;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ScheduledFuture<?> sweeper;

    /**
     * A broker on the Redis at {@code url} ({@code redis://host:port[/db]}, also {@code rediss://} and a password
     * as {@code redis://:secret@host:port}), connecting in the background: the node deploys and serves while
     * Redis is down, and the broker is {@linkplain #connected() not connected} until it is up. A URL that is not
     * a Redis URL is logged once and gives a broker that is never connected.
     */
    public static Broker start(String url, ChatSettings settings) {
        RedisURI uri;
        try {
            uri = RedisURI.create(url);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "chat: asyncprimer.chat.redis is not a Redis URL "
                    + "(redis://host:port[/db]): " + e.getMessage() + "; the chat answers 503 until it is fixed");
            return new UnreachableBroker();
        }
        RedisBroker broker = new RedisBroker(uri, settings, Clock.systemUTC());
        LOG.log(System.Logger.Level.INFO, "chat: messages go through Redis at " + broker.connections.where()
                + " (two connections per node)");
        broker.connections.connect();
        return broker;
    }

    RedisBroker(RedisURI uri, ChatSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        // One thread sends every command, so that publishes keep the order they were made in (a client's two
        // messages sent back to back are stored in that order), and runs every reply's continuation (a subscription
        // behind the tail has its read from Redis completed here) and the timers: all short, none blocks. Delivery
        // is not short, and runs on the fan-out thread below: the reader's to whole rooms, and a read's batch.
        this.executor = new ScheduledThreadPoolExecutor(1, new NamedThreads("async-primer-chat-redis-"));
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.budget = new Feed.Budget(settings.maxRetainedBytes());
        uri.setTimeout(Connections.COMMAND_TIMEOUT); // the handshake's timeout, when a connection is made
        this.connections = onOwnThread(() -> new Connections(uri, executor, this::connectedFirst));
        this.store = new Store(connections, settings, this::callback);
        // One thread for all rooms, so that a node's fan-out takes at most one core from its request threads; its
        // queue holds at most one task per room (see Feed#wakeSubscriptions).
        this.fanOut = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                new NamedThreads("async-primer-chat-redis-fanout-"));
        fanOut.prestartAllCoreThreads(); // now, not at the first delivery: one that appears under load looks leaked
        this.reader = new StreamReader(connections, executor, fanOut);
        long every = sweepEvery(settings.roomIdle()).toMillis();
        this.sweeper = executor.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletionStage<Message> publish(String room, Draft draft) {
        if (closed.get()) {
            return CompletableFuture.failedStage(new Unavailable("the chat is shutting down", null));
        }
        CompletableFuture<Message> stored = new CompletableFuture<>();
        store.publish(room, draft).whenComplete((message, failure) -> {
            if (failure != null) {
                stored.completeExceptionally(unwrap(failure));
                return;
            }
            Feed feed = feeds.get(room);
            if (feed != null) {
                feed.acknowledged(message.id()); // a subscription from now on starts after it
            }
            stored.complete(message);
        });
        return stored;
    }

    @Override
    public CompletionStage<Backlog> read(String room, MessageId after, int limit) {
        if (closed.get()) {
            return CompletableFuture.failedStage(new Unavailable("the chat is shutting down", null));
        }
        CompletableFuture<Backlog> backlog = new CompletableFuture<>();
        store.after(room, after, limit).thenCompose(entries -> {
            if (!entries.isEmpty() || after.equals(MessageId.ZERO)) {
                return CompletableFuture.completedStage(backlog(entries, !entries.isEmpty()
                        && !entries.get(0).prev().equals(after)));
            }
            // Nothing after it: up to date, or an id newer than anything the room has issued, which cannot be
            // from its history and reads from the oldest retained, after the gap marker.
            return store.last(room).thenCompose(last -> last == null || !last.isBefore(after)
                    ? CompletableFuture.completedStage(backlog(List.of(), false))
                    : store.after(room, MessageId.ZERO, limit).thenApply(all -> backlog(all, !all.isEmpty())));
        }).whenComplete((result, failure) -> {
            if (failure != null) {
                backlog.completeExceptionally(unwrap(failure));
            } else {
                backlog.complete(result);
            }
        });
        return backlog;
    }

    private static Backlog backlog(List<Entry> entries, boolean gap) {
        return new Backlog(gap, entries.stream().map(Entry::message).toList());
    }

    @Override
    public Subscription subscribe(String room, MessageId since, Subscriber subscriber) {
        for (;;) {
            Feed feed;
            try {
                feed = open(room);
            } catch (Unavailable refused) {
                return RedisSubscription.failed(subscriber, refused);
            }
            RedisSubscription subscription = new RedisSubscription(feed, subscriber, store, executor, fanOut,
                    this::ended);
            if (feed.register(subscription)) {
                // At once when the node already reads the room, so that the start is fixed by this call.
                feed.joined().whenComplete((joined, failure) -> {
                    if (failure != null) {
                        subscription.refuse(unwrap(failure));
                    } else {
                        start(feed, subscription, since);
                    }
                });
                return subscription;
            }
            if (feed.joined().isCompletedExceptionally()) {
                // Redis could not say where the room is: refused, rather than opened again and again.
                return RedisSubscription.failed(subscriber, Store.unavailable(null));
            }
            forget(feed);
        }
    }

    /**
     * Fixes where a subscription starts: after everything this node knows to be published when {@code since}
     * is null; after {@code since} when it is not newer than that; otherwise Redis says whether the room has
     * issued it (a node's reader may lag a moment behind another node's publish), and an id the room never
     * issued reads from the oldest retained, after the gap marker, as the in-memory broker does.
     */
    private void start(Feed feed, RedisSubscription subscription, MessageId since) {
        MessageId newest = feed.newest();
        if (since == null || !newest.isBefore(since)) {
            subscription.start(since == null ? newest : since, false);
            return;
        }
        store.last(feed.room).whenComplete((last, failure) -> {
            if (failure != null) {
                subscription.refuse(unwrap(failure));
            } else if (last == null || last.isBefore(since)) {
                subscription.start(MessageId.ZERO, true);
            } else {
                subscription.start(since, false);
            }
        });
    }

    @Override
    public Counts counts() {
        int subscribers = feeds.values().stream().mapToInt(Feed::subscriptionCount).sum();
        return new Counts(feedCount.get(), budget.messages.get(), budget.bytes.get(), subscribers);
    }

    @Override
    public boolean connected() {
        return !closed.get() && connections.connected();
    }

    /**
     * Ends every subscription with {@code onClosed(null)}, closes both connections and stops every thread this
     * broker started (Lettuce's and its own), each within a bounded wait.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        sweeper.cancel(false);
        reader.close();
        for (Feed feed : feeds.values()) {
            forget(feed);
            for (RedisSubscription subscription : feed.drop()) {
                subscription.close(null);
            }
        }
        onOwnThread(() -> {
            connections.close();
            return null;
        });
        executor.shutdown();
        fanOut.shutdown();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2); // one wait for both pools
            if (!executor.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                executor.shutdownNow();
            }
            if (!fanOut.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                fanOut.shutdownNow();
            }
            ((NamedThreads) executor.getThreadFactory()).join(Duration.ofSeconds(1));
            ((NamedThreads) fanOut.getThreadFactory()).join(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The node's room for this name, opened if it has none (it then asks Redis for the room's newest id and
     * joins the reader); the caller must expect it to be dropped meanwhile.
     */
    private Feed open(String room) {
        Feed existing = feeds.get(room);
        if (existing != null) {
            return existing;
        }
        if (closed.get()) {
            throw new Unavailable("the chat is shutting down", null);
        }
        if (feedCount.incrementAndGet() > settings.maxRooms()) {
            feedCount.decrementAndGet();
            throw new TooManyRooms(settings.maxRooms());
        }
        Feed fresh = new Feed(room, Math.min(TAIL, settings.history()), budget, clock.millis());
        Feed raced = feeds.putIfAbsent(room, fresh);
        if (raced != null) {
            feedCount.decrementAndGet();
            return raced;
        }
        store.last(room).whenComplete((last, failure) -> {
            if (failure != null) {
                fresh.drop();
                forget(fresh);
                fresh.failToJoin(unwrap(failure));
            } else {
                fresh.join(last == null ? MessageId.ZERO : last);
                reader.add(fresh);
                if (fresh.dropped()) {
                    // Its last subscription ended while it joined, and forget() may have taken it out of the
                    // reader before it was in: the reader would read a room nobody holds, for good.
                    reader.remove(fresh);
                }
            }
        });
        return fresh;
    }

    /** Removes a dropped feed from the map and the reader, once, whoever gets here first. */
    private void forget(Feed feed) {
        if (feeds.remove(feed.room, feed)) {
            feedCount.decrementAndGet();
            reader.remove(feed);
        }
    }

    private void ended(RedisSubscription subscription) {
        Feed feed = subscription.feed();
        if (feed.unregister(subscription, clock.millis())) {
            forget(feed);
        }
    }

    /** Both connections are up for the first time: start reading the rooms opened meanwhile. */
    private void connectedFirst() {
        reader.kick();
    }

    /**
     * Drops the rooms this node has had no subscriber in for {@code roomIdle}, and renews the Redis expiry of
     * those it has subscribers in: a room someone listens to is not idle, even if nobody publishes.
     */
    void sweep() {
        long now = clock.millis();
        for (Feed feed : feeds.values()) {
            if (feed.dropIfIdle(now, settings.roomIdle().toMillis())) {
                forget(feed);
            } else if (feed.subscriptionCount() > 0) {
                store.keepAlive(feed.room);
            }
        }
    }

    /** How often idle rooms are looked for: every quarter of the idle time, at least once a minute. */
    static Duration sweepEvery(Duration roomIdle) {
        Duration quarter = roomIdle.dividedBy(4);
        return quarter.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : quarter;
    }

    /**
     * Runs Lettuce's set-up or tear-down on this broker's thread and waits for it (a bounded time): Netty and
     * Lettuce leave thread-locals on the thread that creates or closes their resources, and the container's
     * threads (the one that starts the application, the one that stops it) outlive the application.
     */
    private <T> T onOwnThread(Callable<T> task) {
        try {
            return executor.submit(task).get(Connections.COMMAND_TIMEOUT.toMillis() * 5, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up or closing the Redis client", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("setting up or closing the Redis client failed", e);
        }
    }

    /** Runs a Redis reply's continuation on this broker's threads; inline once they are shut down. */
    private void callback(Runnable task) {
        try {
            executor.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException shutDown) {
            task.run();
        }
    }

    static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
