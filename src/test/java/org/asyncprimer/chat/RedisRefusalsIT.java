package org.asyncprimer.chat;

import static org.asyncprimer.chat.BrokerContract.await;
import static org.asyncprimer.chat.BrokerContract.awaitExactly;
import static org.asyncprimer.chat.BrokerContract.line;
import static org.asyncprimer.chat.BrokerContract.publish;
import static org.asyncprimer.chat.BrokerContract.subscribe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
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
 * A Redis that is up and answers, but with an error (issue #12's unhappy paths other than "Redis is down"): a
 * room's key that someone overwrote with another type, a Redis out of memory. The publish that Redis refuses answers
 * 503 in bounded time, the operator gets a clear log line (not one per request), and nothing else stops: the
 * node's other rooms go on being delivered.
 */
class RedisRefusalsIT {

    private static RedisServer redis;

    private final String good = "g" + UUID.randomUUID().toString().replace("-", "");
    private final String bad = "b" + UUID.randomUUID().toString().replace("-", "");
    private final LogRecords log = LogRecords.of("org.asyncprimer.chat.redis");
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
        node.close();
        log.close();
        redis.command("CONFIG", "SET", "maxmemory", "0");
    }

    /**
     * One {@code XREAD} reads every room a node has subscribers in, and Redis fails the whole command when one of
     * the keys is not a stream: before, one room's key overwritten with {@code SET} stopped delivery in every room
     * of the node, for good, and the log blamed an unreachable Redis.
     */
    @Test
    void aRoomWhoseKeyIsNotAStreamStopsNeitherTheOtherRoomsNorItselfOnceItIsAStreamAgain() throws Exception {
        Recorder inGood = subscribe(node, good, null);
        Recorder inBad = subscribe(node, bad, null);
        await("started", () -> inGood.caughtUp.get() >= 1 && inBad.caughtUp.get() >= 1);
        List<String> goodSent = new ArrayList<>(List.of(line(publish(node, good, "before"))));
        List<String> badGot = new ArrayList<>(List.of(line(publish(node, bad, "before"))));
        awaitExactly(inGood, goodSent);
        awaitExactly(inBad, badGot);

        assertEquals(List.of("+OK"), redis.command("SET", "asyncprimer:chat:" + bad, "not a stream"));
        CompletionException refused = assertThrows(CompletionException.class, () -> publish(node, bad, "refused"));
        assertInstanceOf(Broker.Unavailable.class, refused.getCause());
        for (int i = 0; i < 3; i++) {
            goodSent.add(line(publish(node, good, "while the other room is broken " + i)));
            awaitExactly(inGood, goodSent); // each on a later XREAD turn: delivery goes on turn after turn
        }
        assertTrue(log.messages().stream().anyMatch(line -> line.contains(bad) && line.contains("not a stream")),
                "a line names the room whose key is not a stream: " + log.messages());

        assertEquals(List.of(":1"), redis.command("DEL", "asyncprimer:chat:" + bad));
        Message again = publish(node, bad, "a stream again");
        badGot.add("gap " + again.id()); // the room's history is gone: its subscribers are told
        badGot.add(line(again));
        awaitExactly(inBad, badGot);
        assertEquals(1, inBad.closed.getCount(), "the room's subscriber stayed");
    }

    /**
     * A full Redis ({@code maxmemory}, {@code noeviction}: README's advice) refuses every publish with {@code OOM}:
     * each publisher gets its 503 at once, and the operator one line saying why, not one per publish. Before, the
     * log said nothing at all while every publish failed.
     */
    @Test
    void aFullRedisRefusesPublishesWith503AndOneLogLineSaysWhy() throws Exception {
        Recorder inGood = subscribe(node, good, null);
        await("started", () -> inGood.caughtUp.get() >= 1);
        assertEquals(List.of("+OK"), redis.command("CONFIG", "SET", "maxmemory-policy", "noeviction"));
        assertEquals(List.of("+OK"), redis.command("CONFIG", "SET", "maxmemory", "1"));
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            CompletionException refused = assertThrows(CompletionException.class, () -> publish(node, good, "full"));
            assertInstanceOf(Broker.Unavailable.class, refused.getCause());
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMs < 10_000, "refused in bounded time, took " + tookMs + " ms");
        }
        List<String> oom = log.messages().stream().filter(line -> line.contains("OOM")).toList();
        assertEquals(1, oom.size(), "one line for five refusals: " + log.messages());
        assertTrue(oom.get(0).contains("publishing to room " + good), oom.get(0));
        assertTrue(node.connected(), "Redis is there; it refuses");

        assertEquals(List.of("+OK"), redis.command("CONFIG", "SET", "maxmemory", "0"));
        Message after = publish(node, good, "room again");
        awaitExactly(inGood, List.of(line(after)));
    }

    /**
     * Redis restarted without its data (a lost disk; FLUSHALL is the same): the messages it had acknowledged are
     * gone. Ids stay unique and in publish order, since Redis takes them from its clock; and a client can tell it
     * missed something: a live subscriber, and a client resuming from an id of the lost history, get the gap
     * marker before the first new message, then it, once.
     */
    @Test
    void aRedisRestartedWithoutItsDataGivesTheGapMarkerAndNothingTwice() throws Exception {
        Recorder live = subscribe(node, good, null);
        await("started", () -> live.caughtUp.get() >= 1);
        Message one = publish(node, good, "one");
        Message two = publish(node, good, "two");
        awaitExactly(live, List.of(line(one), line(two)));

        redis.kill();
        redis.wipe();
        redis.restart();
        await("the node reconnects", node::connected);
        Recorder resumedBeforeAnyNew = subscribe(node, good, two.id());
        Message three = publish(node, good, "three");
        assertTrue(two.id().isBefore(three.id()), three.id() + " after " + two.id());
        List<String> afterLoss = List.of("gap " + three.id(), line(three));

        awaitExactly(live, List.of(line(one), line(two), "gap " + three.id(), line(three)));
        awaitExactly(resumedBeforeAnyNew, afterLoss);
        awaitExactly(subscribe(node, good, one.id()), afterLoss);
        awaitExactly(subscribe(node, good, two.id()), afterLoss);
        Broker.Backlog read = node.read(good, two.id(), 10).toCompletableFuture().join();
        assertEquals(new Broker.Backlog(true, List.of(three)), read);
        Message four = publish(node, good, "four");
        awaitExactly(live, List.of(line(one), line(two), "gap " + three.id(), line(three), line(four)));
    }
}
