package org.asyncprimer.chat;

import static org.asyncprimer.chat.BrokerContract.await;
import static org.asyncprimer.chat.BrokerContract.awaitEvents;
import static org.asyncprimer.chat.BrokerContract.awaitExactly;
import static org.asyncprimer.chat.BrokerContract.line;
import static org.asyncprimer.chat.BrokerContract.publish;
import static org.asyncprimer.chat.BrokerContract.subscribe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.it.LogRecords;
import org.asyncprimer.it.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Redis that is there but answers nothing (paused with SIGSTOP, as a stuck host is: the connections stay open):
 * what a node sends meanwhile waits in Lettuce until Redis goes on. The node keeps that bounded, answers 503 in
 * bounded time without a log line per request, and when Redis goes on delivers what was acknowledged, once.
 */
class RedisPausedIT {

    /** More than Lettuce's request queue (10 000 commands on one connection): before, it refused the rest itself. */
    private static final int PUBLISHES = 12_000;

    private static RedisServer redis;

    private final String room = "p" + UUID.randomUUID().toString().replace("-", "");
    /** The root logger: Lettuce's and Netty's lines too, not only the app's. */
    private final LogRecords log = LogRecords.of("");
    private Broker node;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @BeforeEach
    void startNode() {
        node = RedisBrokerIT.node(redis);
    }

    @AfterEach
    void stopNode() throws Exception {
        redis.resume(); // a test that failed while Redis was paused
        node.close();
        log.close();
    }

    /**
     * Before, each publish beyond Lettuce's queue was refused by Lettuce with a WARNING and a stack trace of its own
     * (55 MB of log in 40 s under 800 publishers), and the ones it queued ran when Redis went on, long after their
     * 503. Now at most the node's bound waits in Lettuce; the others answer 503 at once; the log has a line per kind.
     */
    @Test
    void publishesWhileRedisIsPausedAnswer503InBoundedTimeWithoutALogLineEachAndNothingTwiceAfter() throws Exception {
        Recorder inRoom = subscribe(node, room, null);
        await("started", () -> inRoom.caughtUp.get() >= 1);
        Message before = publish(node, room, "before");
        awaitExactly(inRoom, List.of(line(before)));
        long publishesRun = redis.calls("evalsha") + redis.calls("eval");
        int logged = log.records().size();

        redis.pause();
        long start = System.nanoTime();
        List<CompletableFuture<Message>> paused = new ArrayList<>();
        for (int i = 0; i < PUBLISHES; i++) {
            paused.add(node.publish(room, new Draft("alice", "paused " + i)).toCompletableFuture());
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(paused.toArray(CompletableFuture[]::new));
        await("every publish answered", all::isDone);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        for (CompletableFuture<Message> publish : paused) {
            CompletionException refused = assertThrows(CompletionException.class,
                    publish::join);
            assertInstanceOf(Broker.Unavailable.class, refused.getCause());
        }
        assertTrue(tookMs < 10_000, "answered within the command timeout and some, took " + tookMs + " ms");
        assertFalse(node.connected(), "a Redis that answers nothing is not connected (/status chatBrokerConnected 0)");
        List<String> lines = log.messages().subList(logged, log.messages().size());
        assertTrue(lines.size() < 10, lines.size() + " log records: " + lines.subList(0, Math.min(3, lines.size())));

        redis.resume();
        await("connected again", node::connected);
        Message after = publishOnceAccepted("after");
        List<String> got = awaitEvents(inRoom, events -> events.contains(line(after)));
        assertEquals(new HashSet<>(got).size(), got.size(), "nothing twice: " + got);
        assertEquals(line(before), got.get(0));
        // Those in Lettuce when Redis paused, it runs when it goes on (their publishers got 503: "Redis may still
        // do it"). Before, that was every publish Lettuce had queued, up to 10 000; now the node's bound, 1 000.
        long ran = redis.calls("evalsha") + redis.calls("eval") - publishesRun;
        assertTrue(ran <= 1_002, ran + " publishes ran in Redis after their 503");
        assertTrue(got.size() - 2 <= 1_000, (got.size() - 2) + " answered 503 and delivered");
    }

    /**
     * A subscriber behind the node's tail reads from Redis; before, a read the app had given up on (2 s) was sent
     * again every 500 ms while the first still waited in Lettuce, and they all ran once Redis went on. Now the read
     * waits for Redis: one {@code XRANGE}, whatever the length of the pause.
     */
    @Test
    void aSubscriberBehindTheTailHasOneReadFromRedisOutstandingWhileRedisIsPaused() throws Exception {
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sent.add(line(publish(node, room, "m" + i)));
        }
        Recorder live = subscribe(node, room, null); // opens the room on the node: its tail starts after m9
        await("started", () -> live.caughtUp.get() >= 1);
        long xranges = redis.calls("xrange");

        redis.pause();
        Recorder behind = subscribe(node, room, MessageId.ZERO);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6); // three retries' worth, before
        await("six seconds of pause", () -> !behind.events().isEmpty() || System.nanoTime() - until > 0);
        assertEquals(List.of(), behind.events(), "nothing while Redis is paused");
        assertFalse(node.connected(), "reads unanswered for 6 s, no publish: not connected all the same");
        redis.resume();
        await("connected again", node::connected);

        awaitExactly(behind, sent);
        assertEquals(1, redis.calls("xrange") - xranges, "one read, sent once");
    }

    /**
     * A node with a room open and nothing else to do: its reader's {@code XREAD} is the only command outstanding, and
     * Redis answers it every second while it works. /status says "connected" throughout, and "not connected" once a
     * paused Redis leaves that read unanswered, without any publish or catch-up read to tell.
     */
    @Test
    void theReadersIdleReadAloneTellsAPausedRedisAndAWorkingOne() throws Exception {
        Recorder live = subscribe(node, room, null);
        await("started", () -> live.caughtUp.get() >= 1);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4); // four of the reader's idle reads
        while (System.nanoTime() - until < 0) {
            assertTrue(node.connected(), "a working Redis, an idle reader");
            Thread.sleep(10); // sampling the state over the window: the scenario's duration, not a wait for an outcome
        }

        redis.pause();
        await("not connected while paused", () -> !node.connected());
        redis.resume();
        await("connected again", node::connected);
    }

    /**
     * Publishes as a client told "503, Retry-After" does: again until it is taken. Right after Redis goes on, the
     * node may still have its bound of commands waiting for their replies, and refuse at once.
     */
    private Message publishOnceAccepted(String text) {
        Message[] taken = new Message[1];
        await("a publish is taken again", () -> {
            try {
                taken[0] = publish(node, room, text);
                return true;
            } catch (CompletionException refused) {
                assertInstanceOf(Broker.Unavailable.class, refused.getCause());
                return false;
            }
        });
        return taken[0];
    }
}
