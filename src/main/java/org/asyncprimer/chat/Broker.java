package org.asyncprimer.chat;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where chat messages are stored and who hears of them, behind every transport (long-poll, Server-Sent Events,
 * WebSocket). {@link MemoryBroker} keeps rooms in this JVM; a Redis Streams broker can keep them in Redis
 * ({@code XADD}, {@code XRANGE}) with the same ids and the same contract, which is why every call returns at
 * once and anything that may wait for storage is a {@link CompletionStage} or a callback.
 *
 * <p>Room names and drafts come checked by {@link ChatInput}. Ids are {@link MessageId}s, unique and
 * increasing in publish order within a room.
 */
public interface Broker extends AutoCloseable {

    /**
     * Stores a message in a room, opening the room if it is new, and hands it to the room's subscribers.
     * Completes with the stored message (its id and time assigned) once it is stored, or exceptionally with
     * {@link Unavailable}: when the store cannot take it, and, in the in-memory broker, {@link TooManyRooms} when
     * the room would be one room too many (the Redis broker opens no room on the node for a publish, so it never
     * refuses one for that). Never waits for a subscriber, and never fails because history is full: the oldest
     * history is dropped instead.
     */
    CompletionStage<Message> publish(String room, Draft draft);

    /**
     * Up to {@code limit} retained messages after {@code after} ({@link MessageId#ZERO} for the oldest),
     * oldest first, with {@code gap} set when messages after {@code after} are gone before the first of them.
     * Does not open a room: an unknown room has no messages.
     */
    CompletionStage<Backlog> read(String room, MessageId after, int limit);

    /**
     * Subscribes to a room, opening it if it is new. The position is fixed by this call, atomically with
     * registering for new messages, so that no message is lost or delivered twice between the two even when
     * publishes race with it: the subscriber gets every message after {@code since} in id order, first those
     * already retained, then each new one; with {@code since} null, only messages published after this call.
     *
     * <p>When messages after {@code since} are no longer retained (trimmed, or published before this broker
     * held the room), {@link Subscriber#onGap} comes before the oldest message still there; an id newer than
     * anything the room has issued is treated the same way (it cannot be from this room's history).
     * {@link MessageId#ZERO}, "from the start", gets the gap only once the room has dropped a message.
     *
     * <p>Nothing is delivered until the first {@link Subscription#resume()}: the transport resumes once it can
     * write. A room that cannot be opened ends the subscription at that point with
     * {@link Subscriber#onClosed} and the reason ({@link TooManyRooms}, {@link Unavailable}).
     */
    Subscription subscribe(String room, MessageId since, Subscriber subscriber);

    /** What the broker holds right now, for {@code /status}. */
    Counts counts();

    /**
     * Whether the broker can reach its storage right now, for {@code /status}: the in-memory broker always can;
     * the Redis one is false while Redis is unreachable, or leaves the node's commands unanswered for the publish
     * timeout (publishing then fails with {@link Unavailable}).
     */
    default boolean connected() {
        return true;
    }

    /** Ends every subscription with {@code onClosed(null)}; publishing and subscribing then fail. Idempotent. */
    @Override
    void close();

    /** Messages read from a room's history; {@code gap}: some messages before the first of them are gone. */
    record Backlog(boolean gap, List<Message> messages) {
    }

    /** Rooms open, messages and estimated heap bytes of history retained, and live subscriptions. */
    record Counts(int rooms, long messages, long bytes, int subscribers) {
    }

    /**
     * The broker cannot take the request now (a 503); the message is the one line to answer with. Every transport
     * refuses it alike: 503, that line, and {@code Retry-After} (a WebSocket: 1013 with the line as its reason).
     */
    class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** The broker (or a room) may be back soon; a client that retries at once only adds load. */
        public static final int RETRY_AFTER_SECONDS = 5;

        /** The line for a subscription the broker ended with {@code cause} (see {@link Subscriber#onClosed}). */
        public static String line(Throwable cause) {
            if (cause == null) {
                return "the chat is shutting down";
            }
            return cause instanceof Unavailable ? cause.getMessage() : "the chat cannot serve this room now";
        }

        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A new room would be one more than {@code asyncprimer.chat.maxRooms} allows (a 503). */
    final class TooManyRooms extends Unavailable {
        private static final long serialVersionUID = 1L;

        public TooManyRooms(int maxRooms) {
            super("too many chat rooms open (at most " + maxRooms + "); try again later", null);
        }
    }
}
