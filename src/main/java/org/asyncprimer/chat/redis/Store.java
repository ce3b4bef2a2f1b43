package org.asyncprimer.chat.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.asyncprimer.chat.Broker.Unavailable;
import org.asyncprimer.chat.ChatSettings;
import org.asyncprimer.chat.Draft;
import org.asyncprimer.chat.Message;
import org.asyncprimer.chat.MessageId;

/**
 * The chat's data in Redis, one stream per room ({@code asyncprimer:chat:<room>}, entries
 * {@code prev name text}), and every command that answers at once, all on the one shared connection. Every
 * failure, whether Redis is unreachable, slow or refuses, completes the stage with {@link Unavailable}. Commands
 * are sent, and stages complete, on the broker's own threads: never on a caller's (see {@link #call}), nor on
 * Lettuce's event loops, so that what a caller chains to a stage (a transport writing its answer) cannot hold
 * up the connection.
 */
final class Store {

    private static final System.Logger LOG = System.getLogger(Store.class.getName());
    /**
     * How often one kind of refusal (Redis's error code, or a timeout) is logged at most: a full Redis refuses
     * every publish, and a line each would bury the log.
     */
    static final long LOG_REFUSAL_EVERY_MS = 60_000;

    static final String KEY_PREFIX = "asyncprimer:chat:";

    /**
     * Appends a message to a room and returns its id, in one atomic step: the id of the entry before it (so that
     * readers can tell a trimmed gap, see {@link Entry}), the {@code XADD} that keeps about {@code history}
     * entries ({@code MAXLEN ~}: Redis trims whole nodes of up to 100 entries, so a few more may stay), and the
     * idle expiry, renewed by every publish.
     */
    private static final String PUBLISH = """
            local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
            local prev = last[1] and last[1][1] or '0-0'
            local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
                                  'prev', prev, 'name', ARGV[3], 'text', ARGV[4])
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return id
            """;

    /**
     * Catch-up reads a node has in flight at once (the rest wait in memory): enough to keep Redis busy, few enough
     * that a publish's {@code XADD} does not queue behind thousands of {@code XRANGE} replies.
     */
    static final int CATCH_UP_READS = 4;

    private final Connections connections;
    private final Executor executor;
    private final Turns catchUps;
    private final String history;
    private final String idleMs;
    /** When each kind of refusal was last logged (System.nanoTime). */
    private final ConcurrentMap<String, Long> refusalsLogged = new ConcurrentHashMap<>();

    /** {@code executor}: the broker's threads, which send every command and complete every stage. */
    Store(Connections connections, ChatSettings settings, Executor executor) {
        this.connections = connections;
        this.executor = executor;
        this.catchUps = new Turns(CATCH_UP_READS, executor);
        this.history = Integer.toString(settings.history());
        this.idleMs = Long.toString(settings.roomIdle().toMillis());
    }

    static String key(String room) {
        return KEY_PREFIX + room;
    }

    static String room(String key) {
        return key.substring(KEY_PREFIX.length());
    }

    /** Completes with the stored message once Redis has acknowledged it. */
    CompletionStage<Message> publish(String room, Draft draft) {
        return call("publishing to room " + room, redis -> redis.<String>eval(PUBLISH, ScriptOutputType.VALUE,
                new String[] {key(room)}, history, idleMs, draft.name(), draft.text()))
                .thenApply(id -> {
                    MessageId parsed = MessageId.parse(id);
                    return new Message(parsed, room, draft.name(), draft.text(), Instant.ofEpochMilli(parsed.ms()));
                });
    }

    /** Up to {@code count} entries after {@code after}, oldest first; none for a room Redis does not have. */
    CompletionStage<List<Entry>> after(String room, MessageId after, int count) {
        return call("reading room " + room, redis -> redis.xrange(key(room),
                Range.from(Range.Boundary.excluding(after.toString()), Range.Boundary.unbounded()), Limit.from(count)))
                .thenApply(messages -> entries(room, messages));
    }

    /**
     * A subscription's read of the batch after {@code after}: it waits its turn among the node's
     * {@link #CATCH_UP_READS} (see {@link Turns}), and has no timeout, so that the stage completes only when the
     * command does (Redis answered, or the connection failed it) and a subscription sends its next read after its
     * last is done, never beside it. Skipped, failing with {@link Unavailable}, when no longer {@code wanted} by
     * its turn.
     */
    CompletionStage<List<Entry>> catchUp(String room, MessageId after, int count, BooleanSupplier wanted) {
        return catchUps.take(() -> !wanted.getAsBoolean() ? CompletableFuture.failedStage(unavailable(null))
                : call("reading room " + room, null, redis -> redis.xrange(key(room),
                        Range.from(Range.Boundary.excluding(after.toString()), Range.Boundary.unbounded()),
                        Limit.from(count))).thenApply(messages -> entries(room, messages)));
    }

    /** The room's newest id, or null when Redis has no such room (never published to, or idle and dropped). */
    CompletionStage<MessageId> last(String room) {
        return call("reading room " + room, redis -> redis.xrevrange(key(room), Range.unbounded(), Limit.from(1)))
                .thenApply(messages -> messages.isEmpty() ? null : MessageId.parse(messages.get(0).getId()));
    }

    /** Renews a room's idle expiry (a room someone listens to is not idle); a room Redis does not have stays so. */
    CompletionStage<Boolean> keepAlive(String room) {
        return call("renewing room " + room, redis -> redis.pexpire(key(room), Long.parseLong(idleMs)));
    }

    static List<Entry> entries(String room, List<StreamMessage<String, String>> messages) {
        List<Entry> entries = new ArrayList<>(messages.size());
        for (StreamMessage<String, String> message : messages) {
            entries.add(entry(room, message));
        }
        return entries;
    }

    static Entry entry(String room, StreamMessage<String, String> message) {
        MessageId id = MessageId.parse(message.getId());
        Map<String, String> body = message.getBody();
        MessageId prev = body.get("prev") == null ? null : MessageId.parse(body.get("prev"));
        return new Entry(new Message(id, room, body.getOrDefault("name", ""), body.getOrDefault("text", ""),
                Instant.ofEpochMilli(id.ms())), prev == null ? MessageId.ZERO : prev);
    }

    /**
     * Sends a command on the shared connection; any failure becomes {@link Unavailable}. It is sent from the
     * broker's own threads, never from the caller's: the client keeps per-thread state on whichever thread sends
     * (Lettuce's {@code SharedLock} leaves a thread-local there), and a container's request thread outlives the
     * web application, while the broker's threads end with it.
     */
    private <T> CompletionStage<T> call(String what,
                                        Function<RedisAsyncCommands<String, String>, CompletionStage<T>> command) {
        return call(what, Connections.COMMAND_TIMEOUT, command);
    }

    /** As above, with this timeout; null for none: the stage completes when the command does (see InFlight). */
    private <T> CompletionStage<T> call(String what, Duration timeout,
                                        Function<RedisAsyncCommands<String, String>, CompletionStage<T>> command) {
        CompletableFuture<T> result = new CompletableFuture<>();
        executor.execute(() -> connections.command(timeout, command).whenCompleteAsync((value, failure) -> {
            if (failure == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(unavailable(failure));
                logRefusal(what, failure); // after: a failing log handler must not leave the publish unanswered
            }
        }, executor));
        return result;
    }

    /**
     * Says in the log why Redis, though connected, did not do a command: it answered with an error ({@code OOM}
     * when full, {@code WRONGTYPE} when a room's key holds something else, ...) or not within the command
     * timeout. Each kind at most once every {@link #LOG_REFUSAL_EVERY_MS}. A lost connection is not logged here:
     * {@link Connections} says so once.
     */
    private void logRefusal(String what, Throwable failure) {
        String kind;
        String line;
        Throwable cause = RedisBroker.unwrap(failure);
        if (cause instanceof RedisCommandTimeoutException) {
            kind = "timeout";
            line = "did not answer " + what + " within " + Connections.COMMAND_TIMEOUT.toSeconds()
                    + " s (answered 503; Redis may still do it)";
        } else if (cause instanceof RedisCommandExecutionException) {
            String error = String.valueOf(cause.getMessage());
            int script = error.indexOf(" script: ");
            kind = error.split(" ", 2)[0];
            line = "refused " + what + ": " + (script < 0 ? error : error.substring(0, script)) + " (answered 503)";
        } else if (cause instanceof InFlight.Saturated) {
            kind = "saturated";
            line = "has " + Connections.MAX_IN_FLIGHT + " commands of this node outstanding, unanswered; refused "
                    + what + " at once (answered 503)";
        } else {
            return;
        }
        long now = System.nanoTime();
        long every = TimeUnit.MILLISECONDS.toNanos(LOG_REFUSAL_EVERY_MS);
        boolean[] due = new boolean[1];
        refusalsLogged.compute(kind, (k, last) -> {
            due[0] = last == null || now - last >= every;
            return due[0] ? now : last;
        });
        if (due[0]) {
            LOG.log(System.Logger.Level.WARNING, "chat: Redis at " + connections.where() + " " + line
                    + "; the same again is logged at most once a minute");
        }
    }

    /** The line a client gets; the log says which Redis (a client need not know). */
    static Unavailable unavailable(Throwable cause) {
        return new Unavailable("the chat's message store is unavailable; try again later", cause);
    }
}
