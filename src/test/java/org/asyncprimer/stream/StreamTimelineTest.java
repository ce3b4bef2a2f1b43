package org.asyncprimer.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.app.FakeAsync;
import org.asyncprimer.app.FirstTimerAtOnce;
import org.asyncprimer.app.OpenResponses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The timeline's timers against a fake container: which timer is live, and that every way out cancels it. */
class StreamTimelineTest {

    private final FakeAsync fake = new FakeAsync();
    private final OpenResponses<StreamTimeline> registry = new OpenResponses<>("openStreams", StreamTimeline.class);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private ScheduledThreadPoolExecutor scheduler;

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    private StreamTimeline start(long firstMs, long secondMs) throws Exception {
        StreamTimeline timeline = new StreamTimeline(fake.context, FakeAsync.shared(scheduler, registry),
                StreamFormat.PLAIN, new StreamTimings(Duration.ofMillis(firstMs), Duration.ofMillis(secondMs)),
                Timer.builder("lateness").register(meters));
        timeline.start();
        fake.out.listener.onWritePossible(); // what the container does once the listener is set
        return timeline;
    }

    @Test
    void cancelsTheLiveTimerEvenWhenTheFirstFiredBeforeScheduleReturned() throws Exception {
        scheduler = new FirstTimerAtOnce(); // MIDDLE's timer fires while the thread that wrote START is in schedule()
        StreamTimeline timeline = start(0, 60_000);
        assertEquals("START\nMIDDLE\n", fake.out.written());
        assertEquals(1, scheduler.getQueue().size(), "END's timer waits");

        timeline.finish(); // the client is gone, say

        assertTrue(scheduler.getQueue().isEmpty(), "END's timer was cancelled, not an older, fired one");
        assertEquals(1, fake.completions.get());
        assertEquals(0, registry.size());
    }

    @Test
    void endsAtTheAsyncTimeoutWithNoTimerLeft() throws Exception {
        scheduler = new ScheduledThreadPoolExecutor(1);
        scheduler.setRemoveOnCancelPolicy(true);
        StreamTimeline timeline = start(60_000, 60_000);
        assertEquals("START\n", fake.out.written());
        assertEquals(1, scheduler.getQueue().size(), "MIDDLE's timer waits");

        timeline.onTimeout(null); // the container's async timeout

        assertTrue(scheduler.getQueue().isEmpty());
        assertEquals(1, fake.completions.get());
        assertEquals(0, registry.size());
    }

    @Test
    void writesEveryWordInOrderAndCompletesOnceWithZeroDelays() throws Exception {
        scheduler = new FirstTimerAtOnce();

        start(0, 0);

        assertTrue(fake.awaitCompleted());
        assertEquals("START\nMIDDLE\nEND\n", fake.out.written());
        assertEquals(1, fake.completions.get());
        assertEquals(0, fake.out.overlappingWrites.get());
        assertEquals(0, fake.completionsDuringWrite.get());
        assertEquals(0, registry.size());
    }

    @Test
    void recordsHowLateMiddleAndEndWentOutAgainstTheRequestsStart() throws Exception {
        scheduler = new ScheduledThreadPoolExecutor(1);

        start(500, 500);

        assertTrue(fake.awaitCompleted());
        Timer lateness = meters.get("lateness").timer();
        assertEquals(2, lateness.count(), "MIDDLE and END, not START");
        // Due 500 and 1000 ms after the start and written no earlier: what is recorded is how late, not the delay
        // (which would be 500 ms or more).
        double worst = lateness.max(TimeUnit.MILLISECONDS);
        assertTrue(worst < 500, "late by " + worst + " ms: measured against the due time, not the start");
    }
}
