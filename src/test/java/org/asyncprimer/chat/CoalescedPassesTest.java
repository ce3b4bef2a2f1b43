package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** A room's passes on the fan-out thread: requests coalesce, and neither a refusal nor a failure stops the next. */
class CoalescedPassesTest {

    /** The fan-out thread, run by hand: tasks wait here until {@link #runNext}. */
    private final Queue<Runnable> queued = new ArrayDeque<>();
    private final Executor fanOut = queued::add;
    private int passes;

    private void runNext() {
        queued.remove().run();
    }

    @Test
    void requestsWhileAPassIsQueuedMakeOnePass() {
        CoalescedPasses room = new CoalescedPasses(() -> passes++);

        assertTrue(room.request(fanOut));
        assertTrue(room.request(fanOut));
        assertTrue(room.request(fanOut));
        assertEquals(1, queued.size(), "one task per room");

        runNext();
        assertEquals(1, passes);
        assertTrue(queued.isEmpty());
    }

    @Test
    void aRequestDuringAPassMakesOneMorePassInTheSameTask() {
        CoalescedPasses[] room = new CoalescedPasses[1];
        room[0] = new CoalescedPasses(() -> {
            if (passes++ == 0) {
                room[0].request(fanOut); // a publish while the first pass delivers
                room[0].request(fanOut);
            }
        });

        room[0].request(fanOut);
        runNext();

        assertEquals(2, passes, "the pass went round once more for both");
        assertTrue(queued.isEmpty(), "and queued no task for them");
        room[0].request(fanOut);
        assertEquals(1, queued.size(), "the next request starts a pass");
    }

    @Test
    void aRefusedRequestDoesNotStopTheNext() {
        CoalescedPasses room = new CoalescedPasses(() -> passes++);

        assertFalse(room.request(task -> {
            throw new RejectedExecutionException("closing");
        }));
        assertTrue(room.request(fanOut));
        assertEquals(1, queued.size());
        runNext();
        assertEquals(1, passes);
    }

    @Test
    void aPassThatFailsDoesNotStopTheNext() {
        Error failure = new AssertionError("a subscriber's Error");
        CoalescedPasses room = new CoalescedPasses(() -> {
            if (passes++ == 0) {
                throw failure;
            }
        });

        room.request(fanOut);
        assertSame(failure, assertThrows(Error.class, this::runNext), "the failure reaches the fan-out thread");

        assertTrue(room.request(fanOut));
        assertEquals(1, queued.size(), "the next request starts a pass");
        runNext();
        assertEquals(2, passes);
    }
}
