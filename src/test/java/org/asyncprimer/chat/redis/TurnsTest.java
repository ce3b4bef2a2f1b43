package org.asyncprimer.chat.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TurnsTest {

    private final AtomicInteger started = new AtomicInteger();
    private final List<CompletableFuture<Integer>> inFlight = new ArrayList<>();
    private final Turns turns = new Turns(2, Runnable::run);

    private CompletionStage<Integer> task() {
        return turns.take(() -> {
            started.incrementAndGet();
            CompletableFuture<Integer> pending = new CompletableFuture<>();
            inFlight.add(pending);
            return pending;
        });
    }

    @Test
    void refusesATaskAtOnceWhenMaxWaitingWaitAlready() {
        task();
        task(); // both turns taken, and never given back: Redis stalls
        for (int i = 0; i < Turns.MAX_WAITING; i++) {
            task();
        }
        assertEquals(Turns.MAX_WAITING, turns.waiting());

        CompletableFuture<Integer> refused = task().toCompletableFuture();

        assertTrue(refused.isDone(), "refused at once, not left waiting");
        ExecutionException failure = assertThrows(ExecutionException.class, refused::get);
        assertTrue(failure.getCause() instanceof InFlight.Saturated, failure.getCause().toString());
        assertEquals(Turns.MAX_WAITING, turns.waiting());
        inFlight.get(0).complete(1); // a turn given back starts the oldest waiting one, and there is room for one more
        assertEquals(3, started.get());
        assertTrue(!task().toCompletableFuture().isCompletedExceptionally());
    }

    @Test
    void startsAtMostTheLimitAndTheNextAsEachEndsInOrder() {
        List<CompletionStage<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            results.add(task());
        }
        assertEquals(2, started.get(), "two in flight, three waiting");
        assertEquals(3, turns.waiting());

        inFlight.get(0).complete(0);
        assertEquals(3, started.get(), "one ended: the next started");
        inFlight.get(1).completeExceptionally(new IllegalStateException("failed"));
        assertEquals(4, started.get(), "a failure frees its turn too");
        assertTrue(results.get(1).toCompletableFuture().isCompletedExceptionally());
        assertEquals(0, results.get(0).toCompletableFuture().join());
        inFlight.get(2).complete(2);
        inFlight.get(3).complete(3);
        inFlight.get(4).complete(4);
        assertEquals(5, started.get());
        assertEquals(0, turns.waiting());
        assertEquals(4, results.get(4).toCompletableFuture().join());
    }

    @Test
    void aTaskThatThrowsFailsItsStageAndFreesItsTurn() {
        CompletionStage<Integer> thrown = turns.take(() -> {
            throw new IllegalStateException("cannot start");
        });
        assertTrue(thrown.toCompletableFuture().isCompletedExceptionally());
        task();
        task();
        assertEquals(2, started.get(), "both turns free again");
    }

    @Test
    void manyTasksThatEndAtOnceDoNotNest() {
        int ended = 0;
        for (int i = 0; i < 100_000; i++) {
            if (turns.take(() -> CompletableFuture.completedStage(1)).toCompletableFuture().isDone()) {
                ended++;
            }
        }
        assertEquals(100_000, ended);
    }

    /** At shutdown the broker's threads are gone and completions run inline: thousands waiting must not nest. */
    @Test
    void manyWaitingTasksThatEndAtOnceRunOneAfterAnotherNotNested() {
        task();
        task();
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < Turns.MAX_WAITING; i++) { // as many as may wait (nested, 1 710 of them ran before)
            turns.take(() -> {
                ran.incrementAndGet();
                return CompletableFuture.completedStage(1);
            });
        }
        inFlight.get(0).complete(0);
        assertEquals(Turns.MAX_WAITING, ran.get());
        assertEquals(0, turns.waiting());
    }
}
