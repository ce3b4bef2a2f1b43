package org.asyncprimer.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A subscriber that writes down what it is given: {@code "gap <oldest>"} and {@code "<id> <text>"}, in order.
 * It takes up to {@code room} items and then refuses, as a transport with a full queue does.
 */
class Recorder implements Subscriber {

    private final List<String> events = new ArrayList<>();
    final AtomicInteger caughtUp = new AtomicInteger();
    /** Items taken since the last {@link #onDelivered()}: what a transport would still hold unwritten. */
    final AtomicInteger undelivered = new AtomicInteger();
    final AtomicInteger deliveredRuns = new AtomicInteger();
    /** {@link #onDelivered()} calls after {@link #onClosed}, which must be the last. */
    final AtomicInteger deliveredAfterClosed = new AtomicInteger();
    final CountDownLatch closed = new CountDownLatch(1);
    volatile Throwable closedWith;
    private int room;

    Recorder() {
        this(Integer.MAX_VALUE);
    }

    Recorder(int room) {
        this.room = room;
    }

    synchronized void makeRoom(int more) {
        room += more;
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    @Override
    public synchronized boolean onGap(MessageId oldest) {
        return take("gap " + oldest);
    }

    @Override
    public synchronized boolean onMessage(Message message) {
        return take(message.id() + " " + message.text());
    }

    @Override
    public void onCaughtUp() {
        caughtUp.incrementAndGet();
    }

    @Override
    public void onDelivered() {
        undelivered.set(0);
        deliveredRuns.incrementAndGet();
        if (closed.getCount() == 0) {
            deliveredAfterClosed.incrementAndGet();
        }
    }

    @Override
    public void onClosed(Throwable cause) {
        closedWith = cause;
        closed.countDown();
    }

    private boolean take(String event) {
        if (room == 0) {
            return false;
        }
        room--;
        events.add(event);
        undelivered.incrementAndGet();
        return true;
    }
}
