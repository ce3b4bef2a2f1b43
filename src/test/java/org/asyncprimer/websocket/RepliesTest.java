package org.asyncprimer.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RepliesTest {

    private final FakeSession session = new FakeSession();
    private final Replies replies = new Replies(session.proxy());

    @Test
    void sendsOneReplyAtATimeInOrder() {
        replies.send(() -> "a");
        replies.send(() -> "b");
        replies.send(() -> "c");
        assertEquals(List.of("a"), session.sent);

        session.complete();
        assertEquals(List.of("a", "b"), session.sent);
        session.complete();
        session.complete();
        assertEquals(List.of("a", "b", "c"), session.sent);
        assertEquals(List.of(), session.closes);
    }

    @Test
    void sendsEverythingWhenSendsCompleteInline() {
        session.completeInline = true;
        IntStream.range(0, 3 * Replies.MAX_WAITING).forEach(i -> replies.send(() -> "r" + i));

        assertEquals(3 * Replies.MAX_WAITING, session.sent.size());
        assertEquals(List.of(), session.closes);
    }

    @Test
    void closesWith1008AfterTheReplyInFlightWhenTooManyWait() {
        replies.send(() -> "in flight");
        IntStream.range(0, Replies.MAX_WAITING).forEach(i -> replies.send(() -> "waiting " + i));
        replies.send(() -> "one too many");
        assertEquals(List.of(), session.closes, "not on top of the reply in flight");

        session.complete();

        assertEquals(List.of(CloseCodes.VIOLATED_POLICY), session.closeCodes());
        assertEquals(List.of("in flight"), session.sent, "the replies waiting are dropped");
    }

    @Test
    void closesWith1008AfterTheReplyInFlightWhenTheWaitingRepliesHoldTooManyCharacters() {
        String large = "x".repeat(Replies.MAX_WAITING_CHARS / 2);
        replies.send(() -> "in flight");
        replies.send(() -> large);
        replies.send(() -> large);
        assertEquals(Replies.MAX_WAITING_CHARS, replies.waitingChars());

        replies.send(() -> {
            throw new AssertionError("a reply made past the bound");
        });

        assertEquals(0, replies.waitingChars(), "dropped at once, though the reply in flight is still stuck");
        assertEquals(List.of(), session.closes, "not on top of the reply in flight");
        session.complete();
        assertEquals(List.of(CloseCodes.VIOLATED_POLICY), session.closeCodes());
        assertEquals(List.of("in flight"), session.sent);
    }

    @Test
    void closesAtOnceWhenNothingIsInFlight() {
        replies.close(new CloseReason(CloseCodes.TOO_BIG, "message too big"));

        assertEquals(List.of(CloseCodes.TOO_BIG), session.closeCodes());
    }

    @Test
    void sendsAndMakesNothingAfterTheClose() {
        replies.close(new CloseReason(CloseCodes.TOO_BIG, "message too big"));

        replies.send(() -> {
            throw new AssertionError("a reply made after the close");
        });

        assertEquals(List.of(), session.sent);
        assertEquals(1, session.closes.size());
    }

    @Test
    void aReplyMadeWhileTheSessionClosesIsDroppedNotLeftWaiting() {
        // The close (the server stopping, a failed send) runs on another thread between send()'s check and its add:
        // here, while the reply is made.
        replies.send(() -> {
            replies.close(new CloseReason(CloseCodes.GOING_AWAY, "server stopping"));
            return "made too late";
        });

        assertEquals(List.of(), session.sent);
        assertEquals(List.of(CloseCodes.GOING_AWAY), session.closeCodes());
        assertEquals(0, replies.waitingChars(), "nothing waits behind a close");
    }

    @Test
    void theFirstReasonWins() {
        replies.send(() -> "in flight");
        replies.close(new CloseReason(CloseCodes.TOO_BIG, "message too big"));
        replies.close(new CloseReason(CloseCodes.VIOLATED_POLICY, "later"));

        session.complete();

        assertEquals(List.of(CloseCodes.TOO_BIG), session.closeCodes());
    }

    @Test
    void closesWith1001WhenASendFails() {
        replies.send(() -> "a");
        replies.send(() -> "b");

        session.fail();

        assertEquals(List.of(CloseCodes.GOING_AWAY), session.closeCodes());
        assertEquals(List.of("a"), session.sent);
    }

    @Test
    void aSendThatThrowsLeavesNothingInFlight() {
        session.refuseSends = 1; // the container is closing the session, e.g. on its idle timeout
        replies.send(() -> "refused");

        replies.send(() -> "next");

        assertEquals(List.of("next"), session.sent, "the next reply goes out instead of waiting forever");
    }

    /** A session whose async remote records each send and holds its completion until the test gives it. */
    private static final class FakeSession {
        final List<String> sent = new ArrayList<>();
        final Deque<SendHandler> inFlight = new ArrayDeque<>();
        final List<CloseReason> closes = new ArrayList<>();
        boolean completeInline;
        int refuseSends;

        Session proxy() {
            RemoteEndpoint.Async remote = fake(RemoteEndpoint.Async.class, (name, args) -> {
                if (!name.equals("sendText")) {
                    throw new UnsupportedOperationException(name);
                }
                if (refuseSends > 0) {
                    refuseSends--;
                    throw new IllegalStateException("the session is closing");
                }
                if (!inFlight.isEmpty()) {
                    throw new IllegalStateException("a second send while one is in flight");
                }
                sent.add((String) args[0]);
                inFlight.add((SendHandler) args[1]);
                if (completeInline) {
                    complete();
                }
                return null;
            });
            return fake(Session.class, (name, args) -> switch (name) {
                case "getAsyncRemote" -> remote;
                case "close" -> {
                    closes.add((CloseReason) args[0]);
                    yield null;
                }
                default -> throw new UnsupportedOperationException(name);
            });
        }

        void complete() {
            inFlight.remove().onResult(new SendResult());
        }

        void fail() {
            inFlight.remove().onResult(new SendResult(new IOException("send timed out")));
        }

        List<CloseReason.CloseCode> closeCodes() {
            return closes.stream().map(CloseReason::getCloseCode).toList();
        }

        private interface Call {
            Object answer(String method, Object[] args) throws Exception;
        }

        private static <T> T fake(Class<T> type, Call call) {
            return type.cast(Proxy.newProxyInstance(RepliesTest.class.getClassLoader(), new Class<?>[] {type},
                    (proxy, method, args) -> call.answer(method.getName(), args)));
        }
    }
}
