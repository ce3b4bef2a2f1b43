package org.asyncprimer.chat;

/** A transport's handle on one {@link Broker#subscribe} call. */
public interface Subscription {

    /**
     * Delivers what is there to deliver, and goes on delivering, until a callback returns false. The first call
     * starts delivery; after a refusal, call it when there is room again. A resume that races with a refusal
     * is not lost: delivery is retried. Returns at once if another thread is delivering (it will go on).
     */
    void resume();

    /**
     * Stops delivery and unregisters from the room; no callback starts afterwards (one running on another
     * thread may finish) and {@link Subscriber#onClosed} is not called. Idempotent.
     */
    void cancel();
}
