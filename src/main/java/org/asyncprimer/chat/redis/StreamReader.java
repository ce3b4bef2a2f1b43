package org.asyncprimer.chat.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.UnblockType;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one loop per node that reads new messages from Redis, on its own connection: {@code XREAD BLOCK 1000
 * COUNT 256 STREAMS <every room this node has subscribers in> <the last id read in each>}. Redis answers as soon
 * as any of those rooms has something new (or after the block time, with nothing); the loop appends what came
 * to each room's {@link Feed}, sends the next {@code XREAD} from the new ids, and then has the rooms'
 * subscriptions woken on the node's fan-out thread. No thread waits meanwhile: each turn is a command whose
 * completion starts the next. The fan-out is not on the command thread: writing to 5 000 subscribers took that
 * thread ~150 ms a message, and every publish on the node waited behind it (issue #12's run: publish answered
 * p50 154 ms).
 *
 * <p>A room that a node opens joins at the next turn; to make that at once rather than after up to the block
 * time, the loop is woken with {@code CLIENT UNBLOCK} (from the other connection). When Redis is away the turn
 * fails and the loop tries again every {@link #RETRY_MS}, from the same ids: when Redis is back, delivery goes
 * on from where this node stopped, nothing skipped and nothing twice. A Redis that is there but does not answer
 * (paused, stuck) is waited for, without a timeout: a turn sent again would queue behind the unanswered one on the
 * same connection, each blocking in turn once Redis goes on (see {@link Connections#read}).
 *
 * <p>Redis fails the whole {@code XREAD} when one of its keys is not a stream (someone ran {@code SET} on a room's
 * key: {@code WRONGTYPE}), which would stop every room of the node for one broken key. So on that error the loop
 * asks each room's {@code TYPE}, sets aside the rooms whose key is something else (one log line each; their
 * subscribers wait, as they do while Redis is down, and publishing there answers 503), and reads the others at
 * once. A room set aside is tried again every {@link #SET_ASIDE_MS}; once its key is a stream again (or gone, and
 * published to anew) it is read from where the node stopped, and its subscribers get the gap marker.
 */
final class StreamReader {

    private static final System.Logger LOG = System.getLogger(StreamReader.class.getName());
    /** Entries per room per turn: a busy room gives way to the others, and is read on at the next turn. */
    static final int COUNT = 256;
    static final long RETRY_MS = 250;
    /** How long a room whose key is not a stream stays out of the {@code XREAD} before it is tried again. */
    static final long SET_ASIDE_MS = 5000;
    /** The type of each key given, in order: one command for all of a node's rooms. */
    private static final String TYPES = """
            local types = {}
            for i, key in ipairs(KEYS) do
                types[i] = redis.call('TYPE', key).ok
            end
            return types
            """;

    private final Connections connections;
    private final ScheduledExecutorService executor;
    private final Executor fanOut;
    private final Set<Feed> feeds = ConcurrentHashMap.newKeySet();
    /** Rooms whose key was not a stream, and when (System.nanoTime) to try each again: see the class comment. */
    private final ConcurrentMap<Feed, Long> setAside = new ConcurrentHashMap<>();
    /** True while a turn is in flight or scheduled; false when there was nothing to read. */
    private final AtomicBoolean running = new AtomicBoolean();
    /** Redis's id of the reader's connection, for CLIENT UNBLOCK; asked again after every failure (reconnects). */
    private volatile Long readerClientId;
    private volatile boolean askClientId = true;
    private volatile boolean failing;
    private volatile boolean closed;

    StreamReader(Connections connections, ScheduledExecutorService executor, Executor fanOut) {
        this.connections = connections;
        this.executor = executor;
        this.fanOut = fanOut;
    }

    /** Reads a joined room from its feed's {@code top} on, from the next turn; wakes a waiting {@code XREAD}. */
    void add(Feed feed) {
        feeds.add(feed);
        if (!kick()) {
            Long id = readerClientId;
            if (id != null) {
                // Not blocked right now (between turns): harmless, the next turn has the room anyway. Refused (not
                // connected, or the connection saturated): the next turn has the room too, after the block time.
                connections.command(Connections.COMMAND_TIMEOUT, redis -> redis.clientUnblock(id, UnblockType.TIMEOUT));
            }
        }
    }

    void remove(Feed feed) {
        feeds.remove(feed);
        setAside.remove(feed);
    }

    /** Starts the loop if it is not running (first room, or Redis connected); true if this call started it. */
    boolean kick() {
        if (closed || feeds.isEmpty() || !running.compareAndSet(false, true)) {
            return false;
        }
        executor.execute(this::turn);
        return true;
    }

    void close() {
        closed = true;
    }

    private void turn() {
        List<Feed> reading = due(); // joined feeds only (see add): each has a top
        boolean reader = connections.readerMade();
        if (!closed && reading.isEmpty() && reader && !setAside.isEmpty()) {
            executor.schedule(this::turn, RETRY_MS, TimeUnit.MILLISECONDS); // every room is set aside: wait for one
            return;
        }
        if (closed || reading.isEmpty() || !reader) {
            running.set(false);
            // A room may have been added, or the connection made, just before running was cleared.
            if (!closed && reader && !feeds.isEmpty()) {
                kick();
            }
            return;
        }
        if (askClientId) {
            // Sent just before the XREAD on the same connection: answered before it blocks.
            connections.read(redis -> redis.clientId()).thenAccept(id -> {
                readerClientId = id;
                askClientId = false;
            });
        }
        @SuppressWarnings("unchecked")
        StreamOffset<String>[] offsets = reading.stream()
                .map(feed -> StreamOffset.from(Store.key(feed.room), feed.top().toString()))
                .toArray(StreamOffset[]::new);
        connections.read(redis -> redis.xread(XReadArgs.Builder.block(Connections.BLOCK).count(COUNT), offsets))
                .whenCompleteAsync((messages, failure) -> {
                    if (failure == null) {
                        deliver(reading, messages);
                    } else if (notAStream(failure)) {
                        setAsideWrongTypes(reading, failure);
                    } else {
                        retry(failure);
                    }
                }, executor);
    }

    /** The rooms to read this turn: all but those set aside and not yet due to be tried again. */
    private List<Feed> due() {
        long now = System.nanoTime();
        List<Feed> due = new ArrayList<>(feeds.size());
        for (Feed feed : feeds) {
            Long again = setAside.get(feed);
            if (again == null || now - again >= 0) {
                due.add(feed);
            }
        }
        return due;
    }

    /** Redis answered, with WRONGTYPE: a key of the XREAD is not a stream (the connection is fine). */
    static boolean notAStream(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RedisCommandExecutionException && String.valueOf(t.getMessage()).startsWith("WRONGTYPE")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Asks the {@code TYPE} of every room just read, in one command whatever their number ({@link #TYPES}: a
     * {@code TYPE} each would overrun the connection's command queue on a node of many rooms), sets aside those
     * whose key is neither a stream nor missing, and reads on without them at once. If none is (the key was mended
     * meanwhile), the next turn comes after {@link #RETRY_MS}; if Redis cannot say, it is retried as after any
     * failure.
     */
    private void setAsideWrongTypes(List<Feed> reading, Throwable failure) {
        if (closed) {
            retry(failure);
            return;
        }
        String[] keys = reading.stream().map(feed -> Store.key(feed.room)).toArray(String[]::new);
        connections.command(Connections.COMMAND_TIMEOUT,
                redis -> redis.<List<Object>>eval(TYPES, ScriptOutputType.MULTI, keys)).whenCompleteAsync((types, typeFailure) -> {
            if (typeFailure != null) {
                retry(typeFailure);
                return;
            }
            boolean found = false;
            for (int i = 0; i < reading.size() && i < types.size(); i++) {
                String type = String.valueOf(types.get(i));
                if (!"stream".equals(type) && !"none".equals(type)) {
                    found = true;
                    setAside(reading.get(i), type);
                }
            }
            if (found) {
                turn();
            } else if (!closed) {
                executor.schedule(this::turn, RETRY_MS, TimeUnit.MILLISECONDS);
            } else {
                running.set(false);
            }
        }, executor);
    }

    private void setAside(Feed feed, String type) {
        boolean first = setAside.put(feed, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SET_ASIDE_MS)) == null;
        if (!feeds.contains(feed)) {
            setAside.remove(feed); // dropped meanwhile (remove() ran before the put): not kept for good
        } else if (first) {
            LOG.log(System.Logger.Level.WARNING, "chat: room " + feed.room + ": its key " + Store.key(feed.room)
                    + " holds a " + type + ", not a stream; the room's publishes answer 503 and its subscribers wait"
                    + " until it is a stream again or deleted");
        }
    }

    /** Appends each room's entries to its feed, starts the next turn, then has the subscriptions woken. */
    private void deliver(List<Feed> reading, List<StreamMessage<String, String>> messages) {
        if (failing) {
            failing = false;
            LOG.log(System.Logger.Level.INFO, "chat: reading new messages from Redis again");
        }
        Map<String, List<StreamMessage<String, String>>> byRoom = new HashMap<>();
        for (StreamMessage<String, String> message : messages == null ? List.<StreamMessage<String, String>>of()
                : messages) {
            byRoom.computeIfAbsent(message.getStream(), key -> new ArrayList<>()).add(message);
        }
        List<Feed> woken = new ArrayList<>();
        for (Feed feed : reading) {
            if (setAside.remove(feed) != null) {
                LOG.log(System.Logger.Level.INFO, "chat: room " + feed.room
                        + ": its key is no longer another type; reading it again");
            }
            List<StreamMessage<String, String>> got = byRoom.get(Store.key(feed.room));
            if (got != null && feed.append(Store.entries(feed.room, got))) {
                woken.add(feed);
            }
        }
        turn();
        for (Feed feed : woken) {
            feed.wakeSubscriptions(fanOut);
        }
    }

    private void retry(Throwable failure) {
        askClientId = true;
        if (closed) {
            running.set(false);
            return;
        }
        if (!failing) {
            failing = true;
            LOG.log(System.Logger.Level.WARNING, "chat: cannot read new messages from Redis ("
                    + Connections.rootMessage(failure) + "); subscribers wait, and get what they missed when it is back");
        }
        executor.schedule(this::turn, RETRY_MS, TimeUnit.MILLISECONDS);
    }
}
