package org.asyncprimer.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lifecycle's contract against a fake container: one drain at a time, one complete(), every way out. */
class AsyncResponseTest {

    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final FakeAsync fake = new FakeAsync();
    private final OpenResponses<Lines> registry = new OpenResponses<>("openLines", Lines.class);

    AsyncResponseTest() {
        scheduler.setRemoveOnCancelPolicy(true);
    }

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    /** Writes the lines it is given as they come, then ends when told: the smallest AsyncResponse. */
    static final class Lines extends AsyncResponse {
        final Queue<byte[]> due = new ConcurrentLinkedQueue<>();
        final AtomicInteger stops = new AtomicInteger();
        volatile boolean over;
        volatile int endStatus;
        volatile String endLine;
        volatile RuntimeException fromNext;
        volatile RuntimeException fromWritten;
        volatile RuntimeException fromStopped;

        Lines(FakeAsync fake, Shared shared) {
            super(fake.context, shared);
        }

        void start() throws IOException {
            begin();
        }

        void add(String line) {
            due.add(line.getBytes(UTF_8));
            drain();
        }

        void endWith(int status) {
            endStatus = status;
            over = true;
            drain();
        }

        @Override
        protected Next next() {
            if (fromNext != null) {
                throw fromNext;
            }
            byte[] line = due.peek();
            if (line != null) {
                return Next.write(line);
            }
            if (!over) {
                return Next.WAIT;
            }
            return endLine != null ? Next.refuse(endStatus, endLine, 5) : Next.end(endStatus);
        }

        @Override
        protected void written(byte[] chunk) {
            due.poll();
            if (fromWritten != null) {
                throw fromWritten;
            }
        }

        @Override
        protected void stopped() {
            stops.incrementAndGet();
            if (fromStopped != null) {
                throw fromStopped;
            }
        }
    }

    private Lines started(Duration stallTimeout) throws IOException {
        Lines lines = new Lines(fake, new AsyncResponse.Shared(scheduler, registry, stallTimeout));
        lines.start();
        fake.out.listener.onWritePossible(); // what the container does once the listener is set
        return lines;
    }

    private Lines started() throws IOException {
        return started(Duration.ofMinutes(10));
    }

    @Test
    void finishFromAnotherThreadLetsTheWriteInProgressEndThenCompletesOnce() throws Exception {
        Lines lines = started();
        CountDownLatch inWrite = fake.out.holdNextWrite();
        Thread writer = new Thread(() -> lines.add("held\n"), "writer");
        writer.start();
        assertTrue(inWrite.await(5, TimeUnit.SECONDS));

        lines.finish(); // e.g. the container's async timeout, while the writer is inside write()

        assertEquals(0, fake.completions.get(), "not completed under a write in progress");
        fake.out.releaseWrite();
        writer.join(5000);
        assertTrue(fake.awaitCompleted(), "the writer completed it on its way out");
        assertEquals(1, fake.completions.get());
        assertEquals(0, fake.completionsDuringWrite.get());
        assertEquals(1, lines.stops.get());
        assertEquals(0, registry.size());
    }

    @Test
    void theContainersOwnEndWaitsForTheWriteInProgressAndNothingIsWrittenAfterIt() throws Exception {
        Lines lines = started();
        CountDownLatch inWrite = fake.out.holdNextWrite();
        Thread writer = new Thread(() -> lines.add("held\n"), "writer");
        writer.start();
        assertTrue(inWrite.await(5, TimeUnit.SECONDS));
        lines.due.add("after the container let go\n".getBytes(UTF_8)); // due, but must never be written

        CountDownLatch returned = new CountDownLatch(1);
        Thread container = new Thread(() -> {
            lines.onError(new jakarta.servlet.AsyncEvent(fake.context)); // the container recycles after this returns
            returned.countDown();
        }, "container");
        container.start();

        assertTrue(!returned.await(300, TimeUnit.MILLISECONDS), "onError returned while a write was in progress");
        fake.out.releaseWrite();
        assertTrue(returned.await(5, TimeUnit.SECONDS), "onError returns once the write has");
        writer.join(5000);
        container.join(5000);
        assertEquals("held\n", fake.out.written(), "nothing written after the container's end");
        assertEquals(1, fake.completions.get());
        assertEquals(0, fake.completionsDuringWrite.get());
        assertEquals(1, lines.stops.get());
        assertEquals(0, registry.size());
    }

    @Test
    void manyThreadsDrainingAndFinishingNeverOverlapAndCompleteOnce() throws Exception {
        Lines lines = started();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int id = t;
            threads.add(new Thread(() -> {
                awaitQuietly(go);
                for (int i = 0; i < 200; i++) {
                    lines.add(id + ":" + i + "\n");
                    if (id == 0 && i == 150) {
                        lines.finish();
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        go.countDown();
        for (Thread thread : threads) {
            thread.join(10_000);
        }

        assertTrue(fake.awaitCompleted());
        assertEquals(0, fake.out.overlappingWrites.get(), "two writes at once");
        assertEquals(0, fake.completionsDuringWrite.get(), "complete() during a write");
        assertEquals(1, fake.completions.get());
        assertEquals(1, lines.stops.get());
        assertEquals(0, registry.size());
    }

    @Test
    void endsWithTheAnsweredStatusWhenNothingWasWritten() throws Exception {
        Lines lines = started();

        lines.endWith(204);

        assertEquals(1, fake.completions.get());
        assertEquals(204, fake.status.get());
        assertEquals(0, registry.size());
    }

    @Test
    void aRefusalAnswersItsStatusRetryAfterAndOneLineOfPlainText() throws Exception {
        Lines lines = started();
        lines.endLine = "too many rooms; try again later";

        lines.endWith(503);

        assertEquals(1, fake.completions.get());
        assertEquals(503, fake.status.get());
        assertEquals("text/plain;charset=UTF-8", fake.headers.get("Content-Type"));
        assertEquals("5", fake.headers.get("Retry-After"));
        assertEquals("too many rooms; try again later\n", fake.out.written());
        assertEquals(0, registry.size());
    }

    @Test
    void aRefusalOnceCommittedAddsNothingToWhatWentOut() throws Exception {
        Lines lines = started();
        lines.add("data\n");
        fake.committed = true;
        lines.endLine = "too late to say";

        lines.endWith(503);

        assertEquals(1, fake.completions.get());
        assertEquals(200, fake.status.get());
        assertEquals("data\n", fake.out.written());
        assertEquals(null, fake.headers.get("Retry-After"));
    }

    @Test
    void writesNothingBeforeTheContainerSaysItCan() throws Exception {
        Lines lines = new Lines(fake, FakeAsync.shared(scheduler, registry));
        lines.start();

        lines.add("early\n");
        assertEquals("", fake.out.written(), "isReady() is the container's to answer first");

        fake.out.listener.onWritePossible();
        assertEquals("early\n", fake.out.written());
    }

    @Test
    void leavesTheRegistryAndCompletesEvenWhenStoppedThrows() throws Exception {
        Lines lines = started();
        lines.fromStopped = new IllegalStateException("a bug in stopped()");

        assertThrows(IllegalStateException.class, lines::finish, "the failure reaches whoever ended it");

        assertEquals(0, registry.size());
        assertEquals(1, fake.completions.get());
        assertDoesNotThrow(lines::finish, "later calls find the drain at rest and the response ended");
        assertEquals(1, fake.completions.get());
    }

    @Test
    void aHookThatThrowsEndsTheResponseWith500() throws Exception {
        Lines lines = started();
        lines.fromNext = new NullPointerException("a bug in next()");

        lines.add("never\n");

        assertEquals(1, fake.completions.get());
        assertEquals(500, fake.status.get());
        assertEquals(0, registry.size());
    }

    @Test
    void aSchedulerThatRejectsWorkEndsTheResponseInsteadOfEscaping() throws Exception {
        Lines lines = started();
        lines.fromWritten = new RejectedExecutionException("scheduler shut down");

        assertDoesNotThrow(() -> lines.add("last\n"));

        assertEquals(1, fake.completions.get());
        assertEquals(200, fake.status.get(), "a way out, not a failure of the response");
        assertEquals(0, registry.size());
    }

    @Test
    void endsAResponseWhoseClientTakesNothingForTheStallTimeout() throws Exception {
        Lines lines = started(Duration.ofMillis(100));
        fake.out.ready = false;

        lines.add("stuck\n");

        assertTrue(fake.awaitCompleted(), "ended by the stall timer");
        assertEquals(1, fake.completions.get());
        assertEquals(0, registry.size());
        assertTrue(scheduler.getQueue().isEmpty());
    }

    @Test
    void forgetsTheStallOnceTheClientTakesBytesAgain() throws Exception {
        Lines lines = started();
        fake.out.ready = false;
        lines.add("slow\n");
        assertEquals(1, scheduler.getQueue().size(), "the stall timer runs while output is not ready");

        fake.out.becomeReady();

        assertEquals("slow\n", fake.out.written());
        assertTrue(scheduler.getQueue().isEmpty(), "and is cancelled once it is ready again");
        assertEquals(0, fake.completions.get());
    }

    @Test
    void finishesOnceAndWritesNothingAfterwards() throws Exception {
        Lines lines = started();

        lines.finish();
        lines.finish();
        lines.onTimeout(null);
        lines.add("late\n");

        assertEquals(1, fake.completions.get());
        assertEquals(1, lines.stops.get());
        assertEquals("", fake.out.written());
    }

    @Test
    void countsEachWayOutUnderItsOutcomeOnceTheFirstWins() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        registry.meterWith(meters);

        started().endWith(0);                                      // its end answered
        Lines timedOut = started();
        timedOut.onTimeout(null);
        timedOut.finish();                                         // a second way out changes nothing
        started().onError(new IOException("Broken pipe"));         // the container: the client is gone
        Lines writeFails = started();
        fake.out.failWrites = true;
        writeFails.add("lost\n");                                 // our own write finds the client gone
        fake.out.failWrites = false;
        Lines buggy = started();
        buggy.fromNext = new NullPointerException("a bug");
        buggy.add("x\n");
        Lines rejected = started();
        rejected.fromWritten = new RejectedExecutionException("scheduler shut down");
        rejected.add("last\n");
        started().finish();                                        // the application stops

        assertEquals(1.0, ended(meters, "completed"));
        assertEquals(1.0, ended(meters, "timeout"));
        assertEquals(2.0, ended(meters, "client_gone"));
        assertEquals(1.0, ended(meters, "error"));
        assertEquals(2.0, ended(meters, "shutdown"));
        assertEquals(0.0, ended(meters, "stalled"));
        assertEquals(0, registry.size());
        assertEquals(0.0, meters.get("asyncprimer.responses.open").gauge().value());
    }

    @Test
    void countsTheFirstOfTwoWaysOutThatCameDuringAWrite() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        registry.meterWith(meters);
        Lines lines = started();
        CountDownLatch inWrite = fake.out.holdNextWrite();
        Thread writer = new Thread(() -> lines.add("held\n"), "writer");
        writer.start();
        assertTrue(inWrite.await(5, TimeUnit.SECONDS));

        lines.finish(); // the application stops, while the writer is inside write()
        // Then the container's timeout, which waits for the write in progress before it ends the response.
        Thread container = new Thread(() -> lines.onTimeout(null), "container");
        container.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (container.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(5); // polling interval; the loop checks the outcome
        }
        assertEquals(Thread.State.WAITING, container.getState(), "onTimeout waits for the write in progress");
        fake.out.releaseWrite();
        writer.join(5000);
        container.join(5000);

        assertTrue(fake.awaitCompleted());
        assertEquals(1.0, ended(meters, "shutdown"));
        assertEquals(0.0, ended(meters, "timeout"));
    }

    @Test
    void countsAClientThatTakesNothingAsStalled() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        registry.meterWith(meters);
        Lines lines = started(Duration.ofMillis(50));
        fake.out.ready = false;
        assertEquals(1.0, meters.get("asyncprimer.responses.open").tag("kind", "lines").gauge().value());

        lines.add("stuck\n");

        assertTrue(fake.awaitCompleted());
        assertEquals(1.0, ended(meters, "stalled"));
    }

    private static double ended(SimpleMeterRegistry meters, String outcome) {
        return meters.get("asyncprimer.responses.ended").tag("kind", "lines").tag("outcome", outcome)
                .counter().count();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
