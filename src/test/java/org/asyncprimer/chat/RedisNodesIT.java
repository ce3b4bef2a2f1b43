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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.it.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one Redis, as two servers behind a load balancer have them (here two brokers in one JVM, each with
 * its own connections and reader): every subscriber hears every message published on either node, in one order;
 * a client that moves from one node to the other resumes from its last id; and Redis going away and coming back
 * mid-conversation loses nothing that was acknowledged and delivers nothing twice.
 */
class RedisNodesIT {

    private static RedisServer redis;

    private final String room = "n" + UUID.randomUUID().toString().replace("-", "");
    private Broker a;
    private Broker b;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @BeforeEach
    void startNodes() {
        a = node();
        b = node();
    }

    @AfterEach
    void stopNodes() {
        a.close();
        b.close();
    }

    private static Broker node() {
        return RedisBrokerIT.node(redis);
    }

    /** Three subscribers on each node, started (their position fixed) before anything is published. */
    private List<Recorder> subscribersOnBothNodes() {
        List<Recorder> subscribers = new ArrayList<>();
        for (Broker node : List.of(a, b, a, b, a, b)) {
            subscribers.add(subscribe(node, room, null));
        }
        await("subscribers started", () -> subscribers.stream().allMatch(s -> s.caughtUp.get() >= 1));
        return subscribers;
    }

    /** Every message of the room, in the stream's order: the one order every subscriber must see. */
    private List<String> stream() {
        Broker.Backlog all = a.read(room, MessageId.ZERO, 10_000).toCompletableFuture().join();
        assertTrue(!all.gap(), "nothing was trimmed");
        return all.messages().stream().map(BrokerContract::line).toList();
    }

    @Test
    void everySubscriberOnEitherNodeGetsEveryMessagePublishedOnEitherInOneOrder() throws Exception {
        List<Recorder> subscribers = subscribersOnBothNodes();

        CompletableFuture<Void> onA = CompletableFuture.runAsync(() -> publishMany(a, "a", 150));
        CompletableFuture<Void> onB = CompletableFuture.runAsync(() -> publishMany(b, "b", 150));
        onA.get(60, TimeUnit.SECONDS);
        onB.get(60, TimeUnit.SECONDS);
        String end = line(publish(b, room, "the end"));

        List<String> order = stream();
        assertEquals(301, order.size());
        assertEquals(end, order.get(300));
        for (Recorder subscriber : subscribers) {
            awaitExactly(subscriber, order);
        }
    }

    @Test
    void aClientThatMovesToTheOtherNodeResumesFromItsLastIdWithoutLossOrDuplicate() {
        Recorder onA = new Recorder();
        Subscription atA = a.subscribe(room, null, onA);
        atA.resume();
        await("started", () -> onA.caughtUp.get() >= 1);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sent.add(line(publish(i % 2 == 0 ? a : b, room, "m" + i)));
        }
        awaitExactly(onA, sent);
        String lastId = onA.events().get(9).split(" ")[0];

        atA.cancel(); // the client goes away; what is published meanwhile it gets on the other node
        for (int i = 10; i < 15; i++) {
            sent.add(line(publish(a, room, "m" + i)));
        }
        Recorder onB = subscribe(b, room, MessageId.parse(lastId));
        for (int i = 15; i < 20; i++) {
            sent.add(line(publish(i % 2 == 0 ? a : b, room, "m" + i)));
        }
        awaitExactly(onB, sent.subList(10, 20));
        assertEquals(stream(), sent);
    }

    @Test
    void redisGoingAwayAndComingBackLosesNothingAcknowledgedAndDeliversNothingTwice() throws Exception {
        List<Recorder> subscribers = subscribersOnBothNodes();
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            acknowledged.add(line(publish(i % 2 == 0 ? a : b, room, "before " + i)));
        }
        for (Recorder subscriber : subscribers) {
            awaitExactly(subscriber, acknowledged);
        }

        redis.kill();
        await("both nodes see Redis gone", () -> !a.connected() && !b.connected());
        for (int i = 0; i < 6; i++) {
            Broker node = i % 2 == 0 ? a : b;
            long start = System.nanoTime();
            CompletionException refused = assertThrows(CompletionException.class,
                    () -> publish(node, room, "during the outage"));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertInstanceOf(Broker.Unavailable.class, refused.getCause());
            // Bounded, not a hang: the command timeout is 2 s, and a busy machine adds to it.
            assertTrue(tookMs < 10_000, "a publish without Redis fails in bounded time, took " + tookMs + " ms");
            Thread.sleep(250); // the outage lasts a while: a few publishes, spread out
        }
        for (Recorder subscriber : subscribers) {
            assertEquals(1, subscriber.closed.getCount(), "subscribers stay while Redis is away");
        }

        redis.restart();
        await("both nodes reconnect by themselves", () -> a.connected() && b.connected());
        for (int i = 0; i < 10; i++) {
            acknowledged.add(line(publish(i % 2 == 0 ? a : b, room, "after " + i)));
        }

        assertEquals(acknowledged, stream(), "Redis kept every acknowledged message, and only those");
        for (Recorder subscriber : subscribers) {
            awaitExactly(subscriber, acknowledged);
            assertEquals(1, subscriber.closed.getCount());
        }
    }

    private void publishMany(Broker node, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            publish(node, room, prefix + i);
        }
    }
}
