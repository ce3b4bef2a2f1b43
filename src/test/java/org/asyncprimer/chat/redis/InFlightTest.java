package org.asyncprimer.chat.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bound on outstanding commands, and the stall clock that tells a Redis that answers nothing. */
class InFlightTest {

    private static final Duration WITHIN = Duration.ofMillis(50);

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final InFlight inFlight = new InFlight(2, timers);

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    @Test
    void oneCommandOverTheBoundIsRefusedAtOnce() {
        inFlight.send(null, CompletableFuture::new);
        inFlight.send(null, CompletableFuture::new);

        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> inFlight.send(null, CompletableFuture::new).get());
        assertInstanceOf(InFlight.Saturated.class, refused.getCause());
        assertEquals(2, inFlight.count());
    }

    @Test
    void aCommandUnansweredForLongerThanTheWindowIsAStallUntilOneEnds() throws Exception {
        assertFalse(inFlight.stalled(Duration.ZERO), "nothing outstanding is never stalled");
        CompletableFuture<String> unanswered = new CompletableFuture<>();
        inFlight.send(null, () -> unanswered);
        assertFalse(inFlight.stalled(Duration.ofMinutes(1)), "just sent");

        awaitStalled();
        unanswered.complete("OK");
        assertFalse(inFlight.stalled(WITHIN), "answered");
        assertEquals(0, inFlight.count());
    }

    @Test
    void anAnswerToAnyCommandIsProgressAndANewBusySpellStartsTheClockAfresh() throws Exception {
        CompletableFuture<String> first = new CompletableFuture<>();
        inFlight.send(null, () -> first);
        awaitStalled();
        first.complete("OK");
        Duration window = Duration.ofMillis(500);
        long idleSince = System.nanoTime();
        while (System.nanoTime() - idleSince < 2 * window.toNanos()) {
            Thread.sleep(10); // idle for longer than the window: the scenario's duration, not a wait for an outcome
        }
        assertFalse(inFlight.stalled(window), "nothing outstanding");

        CompletableFuture<String> second = new CompletableFuture<>();
        inFlight.send(null, () -> second);
        assertFalse(inFlight.stalled(window), "the clock starts with the busy spell, not at the last answer");
        CompletableFuture<String> third = new CompletableFuture<>();
        inFlight.send(null, () -> third);
        assertFalse(inFlight.stalled(Duration.ofMinutes(1)));
        awaitStalled();
        second.complete("OK"); // third still waits, but Redis answered something just now
        assertFalse(inFlight.stalled(Duration.ofMinutes(1)));
        assertEquals(1, inFlight.count());
    }

    private void awaitStalled() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!inFlight.stalled(WITHIN)) {
            assertTrue(System.nanoTime() < deadline, "not stalled within 5 s");
            Thread.sleep(10); // polling the clock, with a deadline
        }
    }
}
