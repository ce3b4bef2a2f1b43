package org.asyncprimer.chat.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.asyncprimer.it.LogRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The first connection's attempts: an unreachable Redis is tried again every second, a WAR that lacks a class the
 * client needs is a broken deployment, said once and not tried again. No Redis is involved: the connector fails.
 */
class ConnectionsTest {

    private final LogRecords log = LogRecords.of(Connections.class.getName());
    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger connectedCalls = new AtomicInteger();

    @AfterEach
    void stop() {
        log.close();
        timers.shutdownNow();
    }

    /** Connections whose every attempt fails with {@code failure}; connect() called and its attempt run. */
    private Connections failingWith(Throwable failure) throws Exception {
        Connections connections = new Connections(RedisURI.create("redis://127.0.0.1:1"), timers,
                connectedCalls::incrementAndGet, (client, uri) -> {
                    attempts.incrementAndGet();
                    return CompletableFuture.failedFuture(failure);
                });
        connections.connect();
        timers.submit(() -> { }).get(5, TimeUnit.SECONDS); // the attempt, queued before it, has run
        return connections;
    }

    @Test
    void anUnreachableRedisIsTriedAgainEverySecond() throws Exception {
        try (Connections connections = failingWith(
                new RedisConnectionException("Unable to connect", new ConnectException("Connection refused")))) {
            assertEquals(1, attempts.get());
            assertEquals(1, timers.getQueue().size(), "the next attempt is scheduled");
            assertEquals(1, log.records().size());
            String line = log.messages().get(0);
            assertTrue(line.contains("cannot reach Redis"), line);
            assertFalse(connections.connected());
        }
    }

    @Test
    void aMissingClassIsABrokenDeploymentSaidOnceAndNotTriedAgain() throws Exception {
        NoClassDefFoundError missing = new NoClassDefFoundError("org/slf4j/LoggerFactory");
        try (Connections connections = failingWith(new RedisConnectionException("Unable to connect", missing))) {
            assertEquals(1, attempts.get());
            assertEquals(0, timers.getQueue().size(), "no attempt is scheduled: none could succeed");
            assertEquals(1, log.records().size(), "one line");
            LogRecord line = log.records().get(0);
            assertEquals(Level.SEVERE, line.getLevel()); // System.Logger's ERROR
            assertTrue(line.getMessage().contains("broken deployment"), line.getMessage());
            assertTrue(line.getMessage().contains("org/slf4j/LoggerFactory"), line.getMessage());
            assertFalse(line.getMessage().contains("cannot reach"), line.getMessage());
            assertFalse(connections.connected());
            assertTrue(connections.command(null, redis -> redis.ping()).isCompletedExceptionally(),
                    "publishing finds no connection: 503");
            assertEquals(0, connectedCalls.get());
        }
    }

    @Test
    void aLinkageErrorThrownRatherThanReturnedIsABrokenDeploymentToo() throws Exception {
        Connections connections = new Connections(RedisURI.create("redis://127.0.0.1:1"), timers,
                connectedCalls::incrementAndGet, (client, uri) -> {
                    attempts.incrementAndGet();
                    throw new NoClassDefFoundError("io/netty/SomethingGone");
                });
        try (connections) {
            connections.connect();
            timers.submit(() -> { }).get(5, TimeUnit.SECONDS);

            assertEquals(1, attempts.get());
            assertEquals(0, timers.getQueue().size());
            assertEquals(1, log.records().size());
            assertTrue(log.messages().get(0).contains("broken deployment"), log.messages().get(0));
        }
    }

    @Test
    void aConnectionMadeBeforeTheBrokenOneIsLetGoSoThatPublishingAnswers503() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        @SuppressWarnings("unchecked")
        StatefulRedisConnection<String, String> made = (StatefulRedisConnection<String, String>) Proxy.newProxyInstance(
                StatefulRedisConnection.class.getClassLoader(), new Class<?>[] {StatefulRedisConnection.class},
                (self, method, args) -> switch (method.getName()) {
                    case "closeAsync" -> {
                        closes.incrementAndGet();
                        yield CompletableFuture.completedFuture(null);
                    }
                    case "isOpen" -> true;
                    case "async" -> Proxy.newProxyInstance(RedisAsyncCommands.class.getClassLoader(),
                            new Class<?>[] {RedisAsyncCommands.class}, (commands, call, callArgs) -> null);
                    default -> null;
                });
        Connections connections = new Connections(RedisURI.create("redis://127.0.0.1:1"), timers,
                connectedCalls::incrementAndGet, (client, uri) -> attempts.incrementAndGet() == 1
                        ? CompletableFuture.completedFuture(made)
                        : CompletableFuture.failedFuture(new NoClassDefFoundError("io/netty/SomethingGone")));
        try (connections) {
            connections.connect();
            timers.submit(() -> { }).get(5, TimeUnit.SECONDS);

            assertEquals(2, attempts.get(), "the command connection, then the reader's");
            assertTrue(connections.command(null, redis -> redis.ping()).isCompletedExceptionally(),
                    "publishing finds no connection: 503");
            assertEquals(1, closes.get());
            assertFalse(connections.connected());
            assertEquals(0, timers.getQueue().size());
        }
    }
}
