package org.asyncprimer.chat.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The two Redis connections one node holds, whatever the number of its clients: a multiplexed one for every
 * command that answers at once (the publish script, {@code XRANGE}, {@code XREVRANGE}, {@code PEXPIRE}), shared
 * by all requests, and one for the {@link StreamReader}'s blocking {@code XREAD}, which would hold up every
 * other command on a shared connection while it waits.
 *
 * <p>Lettuce's defaults are changed where they would make a request wait: a command sent while Redis is away
 * fails at once ({@code REJECT_COMMANDS}, instead of being queued until Redis is back) and a request's command
 * fails after {@link #COMMAND_TIMEOUT} (the app's timeout, see {@link InFlight}), so a publish answers 503 within
 * that time instead of hanging; the reader's {@code XREAD} and the catch-up reads wait for Redis or the connection
 * to end them, and TCP keepalive ({@link #KEEPALIVE}) ends a connection that died without a word. Commands in
 * flight when the connection drops fail too, and are never sent twice (Lettuce's default would replay them,
 * which could store a message twice). Lettuce reconnects a connection it had by itself, quickly
 * ({@link #RECONNECT_AT_MOST}); the first connection, which Lettuce does not retry, is retried here every second,
 * so a node deploys and serves while Redis is down. Unless the attempt failed with a {@link LinkageError} (a class
 * the client needs is missing from the WAR): that is a broken deployment, which no retry mends, and it is logged
 * once as such; the broker then stays down, and publishing answers 503.
 */
final class Connections implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Connections.class.getName());

    /** How long a command may take before the request that sent it gets its 503; the reader waits longer. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** How long the reader's {@code XREAD} waits in Redis for new entries before it is sent again. */
    static final Duration BLOCK = Duration.ofSeconds(1);
    static final Duration RECONNECT_AT_MOST = Duration.ofSeconds(1);
    /** TCP keepalive's idle time and probe interval (3 probes): a silently dead connection ends within ~20 s. */
    static final Duration KEEPALIVE = Duration.ofSeconds(5);
    private static final Duration FIRST_CONNECT_RETRY = Duration.ofSeconds(1);
    /**
     * Commands Lettuce accepts waiting for their reply on one connection; beyond this it refuses them, each with a
     * WARNING and a stack trace. {@link #MAX_IN_FLIGHT} keeps the app well below it.
     */
    private static final int MAX_QUEUED_COMMANDS = 10_000;
    /**
     * Commands the app has outstanding on one connection at most, counted until Redis answers (or the connection
     * fails them), whatever the app's timeout; one more fails at once (a publish answers 503). Loopback Redis
     * answers a thousand publishes in a few milliseconds: only a paused or stuck Redis gets here.
     */
    static final int MAX_IN_FLIGHT = 1_000;

    private final RedisURI uri;
    private final String where;
    private final ScheduledExecutorService timers;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final ClientResources resources;
    private final RedisClient client;
    private final AtomicBoolean lost = new AtomicBoolean();
    private final Runnable onConnected;
    private final Connector connector;
    private final InFlight commandsInFlight;
    private final InFlight readerInFlight;

    private volatile StatefulRedisConnection<String, String> commands;
    private volatile StatefulRedisConnection<String, String> reader;
    private volatile ScheduledFuture<?> retry;
    private volatile boolean closed;
    private boolean firstFailureLogged; // only the connecting chain touches it, one attempt at a time

    /** Makes one connection: Lettuce's own {@code connectAsync}, or a stand-in in a test. */
    interface Connector {
        CompletionStage<StatefulRedisConnection<String, String>> connect(RedisClient client, RedisURI uri);
    }

    /** {@code onConnected} runs once, when both connections are first up. */
    Connections(RedisURI uri, ScheduledExecutorService timers, Runnable onConnected) {
        this(uri, timers, onConnected, (client, to) -> client.connectAsync(StringCodec.UTF8, to));
    }

    Connections(RedisURI uri, ScheduledExecutorService timers, Runnable onConnected, Connector connector) {
        this.uri = uri;
        this.connector = connector;
        this.where = describe(uri);
        this.timers = timers;
        this.onConnected = onConnected;
        this.commandsInFlight = new InFlight(MAX_IN_FLIGHT, timers);
        this.readerInFlight = new InFlight(MAX_IN_FLIGHT, timers);
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2) // one event loop per connection
                .computationThreadPoolSize(2) // Lettuce's least
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), RECONNECT_AT_MOST, 2, TimeUnit.MILLISECONDS))
                .threadFactoryProvider(this::tracked)
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build()) // the app's own, see InFlight
                // The reader's XREAD and the catch-up reads have no timeout (see read()): a connection that died
                // without a FIN or RST must still end, so keepalive probes it after 5 s idle, 3 probes 5 s apart.
                .socketOptions(SocketOptions.builder().connectTimeout(COMMAND_TIMEOUT)
                        .keepAlive(SocketOptions.KeepAliveOptions.builder().enable()
                                .idle(KEEPALIVE).interval(KEEPALIVE).count(3).build())
                        .build())
                .requestQueueSize(MAX_QUEUED_COMMANDS)
                .build());
        client.addListener(new StateLog());
    }

    /** {@code redis://host:port/db}, without the password a URL may carry: for log lines. */
    static String describe(RedisURI uri) {
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
    }

    String where() {
        return where;
    }

    /** Starts connecting in the background, on the broker's thread (not the container's); returns at once. */
    void connect() {
        timers.execute(this::attempt);
    }

    /**
     * Sends a command on the shared connection, within {@link #MAX_IN_FLIGHT}: the stage fails at once when the
     * connection is not made yet or has that many outstanding, and after {@code timeout} when Redis has not
     * answered ({@link #COMMAND_TIMEOUT} for a request's command; null waits for Redis, or the connection, to end it).
     */
    <T> CompletableFuture<T> command(Duration timeout,
                                     Function<RedisAsyncCommands<String, String>, ? extends CompletionStage<T>> command) {
        return send(commands, commandsInFlight, timeout, command);
    }

    /**
     * Sends a command on the reader's own connection, as {@link #command} does, without a timeout: the stage
     * completes when Redis answers or the connection fails the command. A turn sent again after a timeout would
     * only queue behind the one Redis has not answered (on the same connection, each blocking in turn), so the
     * reader has one {@code XREAD} outstanding at most, and delivery goes on as soon as Redis does.
     */
    <T> CompletableFuture<T> read(Function<RedisAsyncCommands<String, String>, ? extends CompletionStage<T>> command) {
        return send(reader, readerInFlight, null, command);
    }

    /** The reader's connection is made (it may be down meanwhile: its commands then fail at once). */
    boolean readerMade() {
        return reader != null;
    }

    /** Commands outstanding on the shared connection: for tests. */
    int inFlight() {
        return commandsInFlight.count();
    }

    private static <T> CompletableFuture<T> send(StatefulRedisConnection<String, String> connection, InFlight inFlight,
            Duration timeout, Function<RedisAsyncCommands<String, String>, ? extends CompletionStage<T>> command) {
        if (connection == null) {
            return CompletableFuture.failedFuture(new RedisConnectionException("not connected to Redis yet"));
        }
        return inFlight.send(timeout, () -> command.apply(connection.async()));
    }

    /**
     * Both connections are open, and neither has left its commands unanswered for {@link #COMMAND_TIMEOUT} (the
     * reader's for that beyond its {@link #BLOCK}, which a working Redis takes before it answers an idle read): a
     * Redis that is paused or wedged keeps its connections open and answers nothing, and publishing then answers
     * 503 as when it is down. A node with no command outstanding has nothing to tell by and stays connected.
     */
    boolean connected() {
        StatefulRedisConnection<String, String> c = commands;
        StatefulRedisConnection<String, String> r = reader;
        return !closed && c != null && r != null && c.isOpen() && r.isOpen()
                && !commandsInFlight.stalled(COMMAND_TIMEOUT) && !readerInFlight.stalled(COMMAND_TIMEOUT.plus(BLOCK));
    }

    /** Connects whichever connection is still missing; on failure, tries again in a second. */
    private void attempt() {
        if (closed) {
            return;
        }
        connectIfMissing(commands).thenCompose(c -> {
            commands = c;
            return connectIfMissing(reader);
        }).whenComplete((r, failure) -> {
            if (failure != null) {
                if (closed) {
                    return;
                }
                LinkageError broken = linkageError(failure);
                if (broken != null) {
                    giveUp(broken);
                    return;
                }
                if (!firstFailureLogged) {
                    firstFailureLogged = true;
                    LOG.log(System.Logger.Level.WARNING, "chat: cannot reach Redis at " + where + " ("
                            + rootMessage(failure) + "); publishing answers 503 until it can, trying again every "
                            + FIRST_CONNECT_RETRY.toSeconds() + " s");
                }
                retry = timers.schedule(this::attempt, FIRST_CONNECT_RETRY.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            reader = r;
            if (closed) {
                return; // close() shuts the client down, and with it these connections
            }
            LOG.log(System.Logger.Level.INFO, "chat: connected to Redis at " + where);
            onConnected.run();
        });
    }

    /**
     * A class the client needs is missing or does not fit (NoClassDefFoundError, say): the WAR lacks a library.
     * Redis may be up; trying again would fail the same way forever, and "cannot reach Redis" would send whoever
     * reads the log to the wrong place. Say what it is, once, and stop; a connection made already is let go, so
     * that the broker is down as a whole (publishing answers 503) rather than half up.
     */
    private void giveUp(LinkageError broken) {
        LOG.log(System.Logger.Level.ERROR, "chat: broken deployment: the Redis client cannot load a class it needs ("
                + broken + "); this is not an unreachable Redis at " + where + ", and trying again cannot mend it, "
                + "so the chat is not connecting again and answers 503 until the application is deployed with all "
                + "its libraries", broken);
        StatefulRedisConnection<String, String> made = commands;
        commands = null;
        if (made != null) {
            made.closeAsync();
        }
    }

    /** The LinkageError that {@code failure} is or wraps (Lettuce and the futures wrap it), or null. */
    static LinkageError linkageError(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof LinkageError linkage) {
                return linkage;
            }
        }
        return null;
    }

    /**
     * The connection, or a new one; what Lettuce throws instead of failing the stage (a class it cannot load, say)
     * fails it too, so that it is logged and retried like any failure rather than lost in the executor.
     */
    private CompletableFuture<StatefulRedisConnection<String, String>> connectIfMissing(
            StatefulRedisConnection<String, String> existing) {
        if (existing != null) {
            return CompletableFuture.completedFuture(existing);
        }
        try {
            return connector.connect(client, uri).toCompletableFuture();
        } catch (RuntimeException | LinkageError thrown) {
            return CompletableFuture.failedFuture(thrown);
        }
    }

    /**
     * Closes both connections and stops Lettuce's threads (its event loops and timer, and Netty's global thread
     * that closing starts), waiting a bounded time for them to be gone: a container checks for threads a web
     * application left behind right after undeploy.
     */
    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> pending = retry;
        if (pending != null) {
            pending.cancel(false);
        }
        try {
            client.shutdown(Duration.ZERO, COMMAND_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "chat: closing the Redis connections failed", e);
        }
        try {
            resources.shutdown(0, COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .await(COMMAND_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            for (Thread thread : threads) {
                thread.join(1000);
            }
            // Closing the client's channels starts Netty's one global thread, which ends after a second idle.
            GlobalEventExecutor.INSTANCE.awaitInactivity(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lettuce's threads, named as Lettuce names them, remembered so that close() can wait for them to end. */
    private ThreadFactory tracked(String poolName) {
        ThreadFactory netty = new DefaultThreadFactory(poolName, true);
        return task -> {
            Thread thread = netty.newThread(task);
            threads.add(thread);
            return thread;
        };
    }

    static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** One log line when the command connection drops, and one when it is back. */
    private final class StateLog implements RedisConnectionStateListener {
        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            if (connection == commands && !closed && lost.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "chat: lost the connection to Redis at " + where
                        + "; publishing answers 503 and subscribers wait until it is back");
            }
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
            if (connection == commands && lost.compareAndSet(true, false)) {
                LOG.log(System.Logger.Level.INFO, "chat: reconnected to Redis at " + where);
            }
        }
    }
}
