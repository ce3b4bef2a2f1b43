package org.asyncprimer.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The replies of one session on their way out, and its close. A JSR-356 async remote allows one send in flight (a
 * second one throws {@code IllegalStateException}), so replies wait here, at most {@link #MAX_WAITING} of them,
 * and no more once they hold {@link #MAX_WAITING_CHARS} characters; a client that sends faster than it reads its
 * replies beyond either is closed (1008) instead of being buffered without limit, and a reply it does not take
 * within the send timeout closes it too.
 *
 * <p>The close goes out like a reply: after the send in flight, never on top of it. When a client overflows, a send
 * is stuck, and closing at once loses the 1008 on every container. Tomcat writes the close frame with a blocking
 * send that first waits for the send in flight, on the thread delivering the client's message (up to 50 ms since
 * 10.1.24, up to its 20 s blocking-send timeout before), then drops the connection without the frame; Jetty 12
 * drops what waits behind a close other than 1000 and ends the connection without the frame as well
 * ({@code WebSocketSlowReaderIT} shows both). Here the completion of the stuck send, once the client reads, sends
 * the close: no thread waits for it, and the client learns why. A client that never reads meets the send timeout.
 */
final class Replies {

    static final int MAX_WAITING = 16;
    /**
     * Replies wait until they hold this many characters (the 256 KiB the chat and /fetch keep for a slow client,
     * counted in characters), the one that passes it included; a message that comes while they do closes the
     * session, as the 17th of {@link #MAX_WAITING} does. A reply is up to four times its message ({@code \x00} for
     * a zero byte): with the count alone, 16 replies to 64 KiB messages held 4 MB for a client that does not read,
     * and a few hundred such clients exhausted the heap (on Tomcat, with its poller thread: a server that took no
     * more connections).
     */
    static final int MAX_WAITING_CHARS = 256 * 1024;

    private final Session session;
    private final Queue<String> waiting = new ConcurrentLinkedQueue<>();
    /** The characters of the replies in {@link #waiting}: /status {@code queuedEchoChars}. */
    private final AtomicLong waitingChars = new AtomicLong();
    /** Held while a send is in flight, and for good once the close is sent: whoever takes it sends what is next. */
    private final AtomicBoolean sending = new AtomicBoolean();
    private final AtomicReference<CloseReason> closing = new AtomicReference<>();

    Replies(Session session) {
        this.session = session;
    }

    /** Queues the reply, made only if it is going to be sent: once the close is due, messages cost no work. */
    void send(Supplier<String> reply) {
        if (closing.get() != null) {
            return;
        }
        // The container delivers a session's messages one at a time: completing sends race this size, and they only
        // lower it; a close (the server stopping, a failed send) drops what waits, and below, what came too late.
        if (waiting.size() >= MAX_WAITING || waitingChars.get() >= MAX_WAITING_CHARS) {
            close(new CloseReason(CloseCodes.VIOLATED_POLICY, "client is not reading its replies"));
            return;
        }
        String next = reply.get();
        waitingChars.addAndGet(next.length());
        waiting.add(next);
        if (closing.get() != null) {
            dropWaiting(); // the close ran between the check above and the add: it sets closing before it drops
            return;
        }
        pump();
    }

    /**
     * Closes the session after the send in flight, if any. Replies still waiting are dropped now, not when that send
     * completes: a client that does not read may keep it stuck until the send timeout. First reason wins.
     */
    void close(CloseReason reason) {
        if (closing.compareAndSet(null, reason)) {
            dropWaiting();
            pump();
        }
    }

    /** Sends what is due unless a send is in flight: the close if one is due, else the next reply. */
    private void pump() {
        while ((closing.get() != null || !waiting.isEmpty()) && sending.compareAndSet(false, true)) {
            CloseReason reason = closing.get();
            if (reason != null) {
                closeNow(reason); // keeps `sending` for good: nothing follows a close
                return;
            }
            String next = poll();
            if (next == null) {
                sending.set(false);
                continue;
            }
            try {
                session.getAsyncRemote().sendText(next, this::sent); // may complete inline, calling sent() at once
                return;
            } catch (IllegalStateException closedByTheContainer) {
                // An idle timeout or the client's close got there first: the session takes no more sends. Nothing is
                // in flight now, and nothing waiting will ever go out.
                dropWaiting();
                sending.set(false);
                return;
            }
        }
    }

    /** The completion of the send in flight, on a container thread or inline in {@code sendText}. */
    private void sent(SendResult result) {
        if (!result.isOK()) {
            // Timed out or failed: the container gives up on the connection; close our side before the next send.
            closing.compareAndSet(null, new CloseReason(CloseCodes.GOING_AWAY, "reply not taken in time"));
        }
        sending.set(false);
        pump();
    }

    private void closeNow(CloseReason reason) {
        dropWaiting();
        try {
            session.close(reason);
        } catch (IOException | IllegalStateException alreadyClosing) {
            // The connection is already gone or closing: there is nothing left to release.
        }
    }

    /** Characters of the replies waiting behind the one in flight. */
    long waitingChars() {
        return waitingChars.get();
    }

    private String poll() {
        String next = waiting.poll();
        if (next != null) {
            waitingChars.addAndGet(-next.length());
        }
        return next;
    }

    private void dropWaiting() {
        while (poll() != null) {
            // dropped: the session is closing and they will never go out
        }
    }
}
