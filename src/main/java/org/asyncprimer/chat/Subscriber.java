package org.asyncprimer.chat;

/**
 * What a transport gives {@link Broker#subscribe} to hear of a room's messages. The broker calls it on a
 * publisher's thread or its own, never two calls at once for one subscription, so a callback must not block:
 * it hands the message to the transport's own bounded queue (or its one outstanding WebSocket send) and
 * returns.
 *
 * <p>A callback that has no room returns false: the item was not taken, delivery pauses, and the broker keeps
 * nothing for it. The transport calls {@link Subscription#resume()} when it has room again, and delivery goes
 * on from the last item taken, read back from the room's history: publishers never wait for a slow
 * subscriber, and a slow subscriber never makes the server buffer more than the history it already keeps.
 * If the history has moved past a paused subscriber by then, it gets {@link #onGap} and goes on from the
 * oldest message retained. A transport that would rather end a subscriber that falls behind simply returns
 * false and cancels; its client resumes from the last id it got.
 */
public interface Subscriber {

    /**
     * Messages after the last one taken (or after the subscription's {@code since}) are gone; the next message
     * is {@code oldest}. False: not taken, and it is reported again (perhaps with a newer oldest) on resume.
     */
    boolean onGap(MessageId oldest);

    /** The next message, in id order, never one twice. False: not taken; it comes again first on resume. */
    boolean onMessage(Message message);

    /**
     * Delivery has run out of messages: everything published before the broker last looked has been taken (a
     * publish racing with that look is delivered right after). Called each time that happens, also when there was
     * nothing to deliver; a long-poll that has taken messages ends here.
     */
    void onCaughtUp();

    /**
     * One run of delivery is over, whatever ended it (caught up, paused, a read from the store under way): a
     * transport that let what it took wait in its own queue writes it out now, all of it at once. Called after
     * every run until the subscription ends, never after {@link #onClosed}; the default does nothing.
     */
    default void onDelivered() {
    }

    /**
     * The broker ended the subscription: {@code cause} null when it is shutting down, otherwise why
     * ({@link Broker.TooManyRooms}, {@link Broker.Unavailable}, or what a callback threw). Called once, last,
     * and never after {@link Subscription#cancel()}.
     */
    void onClosed(Throwable cause);
}
