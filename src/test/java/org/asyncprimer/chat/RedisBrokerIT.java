package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.asyncprimer.chat.redis.RedisBroker;
import org.asyncprimer.it.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker contract against a real redis-server (Debian's, started for this class), and what only the Redis
 * broker does: ids the same on every node, its cost per message, starting without Redis, and leaving no thread.
 */
class RedisBrokerIT extends BrokerContract {

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @Override
    protected Broker create(ChatSettings settings) {
        return connected(RedisBroker.start(redis.url(), settings));
    }

    static Broker connected(Broker broker) {
        await("the broker connects to Redis", broker::connected);
        return broker;
    }

    /** A node of the chat on {@code redis} with the usual limits (100 rooms), connected. */
    static Broker node(RedisServer redis) {
        return connected(RedisBroker.start(redis.url(),
                new ChatSettings(1000, 100, 64 << 20, Duration.ofHours(1), Duration.ofSeconds(15))));
    }

    @Test
    void aMessageCostsRedisOneReadPerNodeNotOnePerSubscriber() throws Exception {
        Broker broker = broker(1000);
        List<Recorder> subscribers = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            subscribers.add(subscribe(broker, room(), null));
        }
        await("all started", () -> subscribers.stream().allMatch(s -> s.caughtUp.get() >= 1));
        long xreads = redis.calls("xread");
        long xranges = redis.calls("xrange");

        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(line(publish(broker, room(), "m" + i)));
        }
        for (Recorder subscriber : subscribers) {
            awaitExactly(subscriber, sent);
        }
        assertEquals(0, redis.calls("xrange") - xranges, "subscribers read new messages from the node's tail");
        long reads = redis.calls("xread") - xreads;
        assertTrue(reads < 50, reads + " XREADs for 20 messages and 300 subscribers");
        assertEquals(new Broker.Counts(1, 20, broker.counts().bytes(), 300), broker.counts());
    }

    @Test
    void roomsLeftWhileTheyJoinAreNotReadForGood() throws Exception {
        Broker broker = broker(1000);
        for (int i = 0; i < 20; i++) {
            // Cancelled at once, before the room's newest id is back from Redis: the feed is dropped before its
            // join adds it to the reader.
            broker.subscribe(room() + "-" + i, null, new Recorder()).cancel();
        }
        assertEquals(new Broker.Counts(0, 0, 0, 0), broker.counts());
        // A reader with no room sends no XREAD; one left with a dropped room would send one per block time (1 s).
        await("the reader stops reading", () -> {
            long before = calls("xread");
            try {
                Thread.sleep(1500); // longer than one XREAD's block: the interval the count is compared over
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return calls("xread") == before;
        });
    }

    private static long calls(String command) {
        try {
            return redis.calls(command);
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot ask Redis how often it ran " + command, e);
        }
    }

    @Test
    void aSubscriberBehindTheTailReadsFromRedisInBatches() throws Exception {
        Broker broker = broker(1000);
        List<String> sent = new ArrayList<>();
        Message first = publish(broker, room(), "first");
        for (int i = 0; i < 400; i++) {
            sent.add(line(publish(broker, room(), "m" + i)));
        }
        long xranges = redis.calls("xrange");
        awaitExactly(subscribe(broker, room(), first.id()), sent);
        long reads = redis.calls("xrange") - xranges;
        assertTrue(reads >= 2 && reads <= 10, reads + " XRANGEs for 400 messages, 64 a batch, then the tail");
    }

    @Test
    void aSubscriberWithoutSinceStartsAfterWhatThisNodeHasHadAcknowledgedEvenBeforeItReadsIt() {
        Broker broker = broker(1000);
        Recorder listener = subscribe(broker, room(), null); // the node reads the room from now on
        await("started", () -> listener.caughtUp.get() >= 1);
        for (int i = 0; i < 20; i++) {
            Message before = publish(broker, room(), "before " + i);
            Recorder late = subscribe(broker, room(), null); // at once: the reader may not have read it yet
            Message after = publish(broker, room(), "after " + i);
            awaitExactly(late, List.of(line(after)));
            assertTrue(before.id().isBefore(after.id()));
        }
    }

    @Test
    void aReaderThatFallsBehindTrimmingGivesTheGapMarkerExactlyWhereMessagesWereLost() {
        Broker broker = broker(5);
        Recorder recorder = subscribe(broker, room(), null);
        await("started", () -> recorder.caughtUp.get() >= 1);
        // Sent without waiting for each acknowledgement: Redis runs them back to back, faster than one node's
        // reader turns round, and trims whole nodes of 100 entries behind it.
        List<CompletableFuture<Message>> pending = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            pending.add(broker.publish(room(), new Draft("burst", "m" + i)).toCompletableFuture());
        }
        List<String> sent = pending.stream().map(CompletableFuture::join).map(BrokerContract::line).toList();
        List<String> got = awaitEvents(recorder, events -> events.contains(sent.get(sent.size() - 1)));

        int at = -1;
        String marker = null;
        for (String event : got) {
            if (event.startsWith("gap ")) {
                marker = event.substring(4);
                continue;
            }
            int index = sent.indexOf(event);
            assertTrue(index > at, event + " comes after " + (at < 0 ? "the start" : sent.get(at)));
            assertEquals(index != at + 1, marker != null, "a marker exactly where messages are missing, at " + event);
            if (marker != null) {
                assertEquals(marker, event.split(" ")[0], "the marker names the message after it");
            }
            marker = null;
            at = index;
        }
        assertEquals(sent.size() - 1, at);
    }

    @Test
    void withoutRedisAtStartTheBrokerServesNothingThenConnectsByItself() throws Exception {
        int port = RedisServer.freePort();
        Broker broker = RedisBroker.start("redis://127.0.0.1:" + port, new ChatSettings(1000, 10, 64 << 20,
                Duration.ofHours(1), Duration.ofSeconds(15)));
        try {
            assertFalse(broker.connected());
            long start = System.nanoTime();
            CompletionException refused = assertThrows(CompletionException.class,
                    () -> publish(broker, room(), "nobody there"));
            assertInstanceOf(Broker.Unavailable.class, refused.getCause());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "fails fast");
            Recorder refusedSubscriber = subscribe(broker, room(), null);
            assertTrue(refusedSubscriber.closed.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertInstanceOf(Broker.Unavailable.class, refusedSubscriber.closedWith);
            assertEquals(0, broker.counts().rooms());
        } finally {
            broker.close();
        }
    }

    @Test
    void aUrlThatIsNotARedisUrlGivesABrokerThatIsNeverConnected() {
        Broker broker = RedisBroker.start("http://127.0.0.1:1/", new ChatSettings(1000, 10, 64 << 20,
                Duration.ofHours(1), Duration.ofSeconds(15)));
        try {
            assertFalse(broker.connected());
            CompletionException refused = assertThrows(CompletionException.class,
                    () -> publish(broker, room(), "nowhere"));
            assertInstanceOf(Broker.Unavailable.class, refused.getCause());
            assertEquals("the chat's message store is unavailable; try again later", refused.getCause().getMessage());
        } finally {
            broker.close();
        }
    }

    /**
     * Issue #12: writing a message to 5 000 subscribers took ~150 ms on the thread that also sends every command,
     * and each publish on the node waited behind it. A subscriber held inside a callback stands for that fan-out.
     */
    @Test
    void aPublishIsAnsweredWhileTheNodesFanOutIsBusy() throws Exception {
        Broker broker = broker(1000);
        HeldRecorder held = new HeldRecorder(WAIT);
        broker.subscribe(room(), null, held).resume();
        Message first = publish(broker, room(), "first");
        assertTrue(held.inside.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the fan-out never reached the subscriber");

        Message second;
        try {
            second = broker.publish(room(), new Draft("alice", "second")).toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
        } finally {
            held.release.countDown();
        }
        awaitExactly(held, List.of(line(first), line(second)));
    }

    @Test
    void closeStopsEveryThreadTheBrokerStarted() throws Exception {
        Set<String> before = threadNames();
        Broker broker = broker(1000);
        Recorder recorder = subscribe(broker, room(), null);
        Message one = publish(broker, room(), "one");
        awaitExactly(recorder, List.of(line(one)));
        assertTrue(threadNames().stream().anyMatch(name -> name.startsWith("lettuce-")), "Lettuce's threads run");

        broker.close();
        Set<String> left = threadNames();
        left.removeAll(before);
        assertEquals(Set.of(), left, "threads the broker left behind");
    }

    private static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }
}
