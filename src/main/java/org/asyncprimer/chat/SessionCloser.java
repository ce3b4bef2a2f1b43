package org.asyncprimer.chat;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Closes chat sessions off the thread that delivers to them. On Tomcat, closing a session whose last send the
 * client never took waits for that send first (up to {@code BlockingSends}' 200 ms, then the connection is
 * dropped): closed on a publisher's thread or the broker's fan-out thread, a room of clients that all fell behind
 * at once would hold the publisher, and every other subscriber of every room, for 200 ms a client. Jetty's close
 * never waits, so there the hand-off only costs a queue entry.
 *
 * <p>One thread, so on Tomcat about five stuck sessions a second: after a crowd falls behind together its sessions
 * have already left /status's {@code openChatSockets} and the room (nothing more is delivered to them) while their
 * connections wait here, counted as {@code chatSocketsClosing}. Started with the chat (ChurnIT counts the server's
 * threads before and after a churn: one that appeared at the first overflow would look left behind) and stopped
 * with it; a close handed over after that runs on the caller's thread.
 */
final class SessionCloser {

    private static final System.Logger LOG = System.getLogger(SessionCloser.class.getName());

    private final NamedThreads threads = new NamedThreads("async-primer-chat-closer-");
    private final ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(), threads);

    SessionCloser() {
        executor.prestartAllCoreThreads();
    }

    /** Closes {@code session} with {@code reason} soon, on the closer's thread; never waits for the client. */
    void closeSoon(Session session, CloseReason reason) {
        try {
            executor.execute(() -> closeNow(session, reason));
        } catch (RejectedExecutionException stopped) {
            // Stopped: the chat is being undeployed, and the application's shutdown closes sessions one by one too.
            closeNow(session, reason);
        }
    }

    /** Closes {@code session} on this thread (which, on Tomcat, may wait for a send in flight). */
    static void closeNow(Session session, CloseReason reason) {
        try {
            session.close(reason);
        } catch (IOException | IllegalStateException alreadyClosing) {
            // The connection is gone or closing already: there is nothing left to release.
        }
    }

    /** Closes handed over and not yet done: {@code /status} {@code chatSocketsClosing}. */
    long pending() {
        return executor.getQueue().size() + executor.getActiveCount();
    }

    /**
     * Runs the closes already handed over, for at most 2 s, then stops the thread. Closes still waiting then are
     * dropped (logged): their sessions have left the chat already, and the container closes their connections as
     * it stops.
     */
    void stop() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
                int dropped = executor.shutdownNow().size();
                LOG.log(System.Logger.Level.WARNING, dropped + " chat session closes not run at undeploy;"
                        + " the container closes those connections");
            }
            // The container checks for threads left behind right after undeploy.
            threads.join(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
