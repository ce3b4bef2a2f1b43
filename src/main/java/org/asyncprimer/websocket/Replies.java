package org.asyncprimer.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The replies of one session on their way out. A JSR-356 async remote allows one send in flight (a second one
 * throws {@code IllegalStateException}), so replies wait here, at most {@link #MAX_WAITING}; a client that sends
 * faster than it reads its replies beyond that is closed (1008) instead of being buffered without limit, and a
 * reply it does not take within the send timeout closes it too.
 */
final class Replies {

    static final int MAX_WAITING = 16;

    private final Session session;
    private final Queue<String> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicBoolean inFlight = new AtomicBoolean();

    Replies(Session session) {
        this.session = session;
    }

    void send(String reply) {
        if (count.incrementAndGet() > MAX_WAITING) {
            close(new CloseReason(CloseCodes.VIOLATED_POLICY, "client is not reading its replies"));
            return;
        }
        waiting.add(reply);
        pump();
    }

    /** Starts the next send unless one is in flight; the send's completion calls this again. */
    private void pump() {
        while (!waiting.isEmpty() && inFlight.compareAndSet(false, true)) {
            String next = waiting.poll();
            if (next == null) {
                inFlight.set(false);
                continue;
            }
            count.decrementAndGet();
            session.getAsyncRemote().sendText(next, this::sent); // may complete inline, calling sent() at once
            return;
        }
    }

    private void sent(SendResult result) {
        inFlight.set(false);
        if (!result.isOK()) {
            close(new CloseReason(CloseCodes.GOING_AWAY, "reply not taken in time"));
            return;
        }
        pump();
    }

    private void close(CloseReason reason) {
        waiting.clear();
        try {
            session.close(reason);
        } catch (IOException | IllegalStateException alreadyClosing) {
            // The connection is already gone or closing: there is nothing left to release.
        }
    }
}
