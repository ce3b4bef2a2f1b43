package org.asyncprimer.chat.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.asyncprimer.chat.Broker;
import org.asyncprimer.chat.Draft;
import org.asyncprimer.chat.Message;
import org.asyncprimer.chat.MessageId;
import org.asyncprimer.chat.Subscriber;
import org.asyncprimer.chat.Subscription;

/**
 * The broker of a node whose {@code asyncprimer.chat.redis} is not a Redis URL: the node deploys (the rest of it
 * works), the chat answers 503, and {@code /status} says the broker is not connected, until the setting is fixed.
 */
final class UnreachableBroker implements Broker {

    @Override
    public CompletionStage<Message> publish(String room, Draft draft) {
        return CompletableFuture.failedStage(Store.unavailable(null));
    }

    @Override
    public CompletionStage<Backlog> read(String room, MessageId after, int limit) {
        return CompletableFuture.failedStage(Store.unavailable(null));
    }

    @Override
    public Subscription subscribe(String room, MessageId since, Subscriber subscriber) {
        return RedisSubscription.failed(subscriber, Store.unavailable(null));
    }

    @Override
    public Counts counts() {
        return new Counts(0, 0, 0, 0);
    }

    @Override
    public boolean connected() {
        return false;
    }

    @Override
    public void close() {
        // Nothing was opened.
    }
}
