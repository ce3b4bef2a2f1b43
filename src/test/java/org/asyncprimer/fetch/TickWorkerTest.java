package org.asyncprimer.fetch;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.asyncprimer.app.FirstTimerAtOnce;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TickWorkerTest {

    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-11-26T15:00:01Z"), ZoneOffset.UTC);

    private ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final CountDownLatch finished = new CountDownLatch(1);

    TickWorkerTest() {
        scheduler.setRemoveOnCancelPolicy(true); // so an empty queue means no live timer
    }

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    private TickWorker worker(int count, int pad) {
        return worker(count, Duration.ZERO, pad);
    }

    private TickWorker worker(int count, Duration interval, int pad) {
        return new TickWorker(scheduler, new FetchSettings(count, interval, pad, Duration.ofMinutes(1)), FIXED);
    }

    /** Waits until the one scheduler thread has finished what it was running: a task queued now runs after it. */
    private void awaitSchedulerIdle() throws Exception {
        scheduler.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }

    @Test
    void producesCountJsonLinesThenFinishes() throws Exception {
        TickWorker worker = worker(3, 0);
        worker.onData(chunk -> lines.add(new String(chunk, UTF_8)));
        worker.onFinish(finished::countDown);

        worker.start();

        assertTrue(finished.await(5, TimeUnit.SECONDS));
        assertEquals(List.of(
                "{\"seq\":1,\"of\":3,\"at\":\"2026-11-26T15:00:01.000Z\"}\n",
                "{\"seq\":2,\"of\":3,\"at\":\"2026-11-26T15:00:01.000Z\"}\n",
                "{\"seq\":3,\"of\":3,\"at\":\"2026-11-26T15:00:01.000Z\"}\n"), lines);
    }

    @Test
    void padsEachLineWhenAsked() throws Exception {
        TickWorker worker = worker(1, 5);
        worker.onData(chunk -> lines.add(new String(chunk, UTF_8)));
        worker.onFinish(finished::countDown);

        worker.start();

        assertTrue(finished.await(5, TimeUnit.SECONDS));
        assertEquals("{\"seq\":1,\"of\":1,\"at\":\"2026-11-26T15:00:01.000Z\",\"pad\":\"xxxxx\"}\n", lines.get(0));
    }

    @Test
    void holdsARefusedChunkUntilResumedAndLosesNothing() throws Exception {
        AtomicBoolean room = new AtomicBoolean(false);
        CountDownLatch refused = new CountDownLatch(1);
        TickWorker worker = worker(3, 0);
        worker.onData(chunk -> {
            if (!room.get()) {
                refused.countDown();
                return false;
            }
            return lines.add(new String(chunk, UTF_8));
        });
        worker.onFinish(finished::countDown);

        worker.start();
        assertTrue(refused.await(5, TimeUnit.SECONDS));
        awaitSchedulerIdle();
        assertTrue(scheduler.getQueue().isEmpty(), "paused: no timer, nothing more is produced");
        assertEquals(1, finished.getCount());
        assertEquals(List.of(), lines);

        room.set(true);
        worker.resume();

        assertTrue(finished.await(5, TimeUnit.SECONDS));
        assertEquals(3, lines.size());
        assertTrue(lines.get(0).startsWith("{\"seq\":1,"), lines.get(0));
    }

    @Test
    void producesNothingAfterCancel() throws Exception {
        TickWorker worker = worker(5, Duration.ofMillis(50), 0);
        CountDownLatch first = new CountDownLatch(1);
        worker.onData(chunk -> {
            lines.add(new String(chunk, UTF_8));
            worker.cancel(); // the consumer ends while the worker is inside its callback, about to schedule more
            first.countDown();
            return true;
        });
        worker.onFinish(finished::countDown);

        worker.start();
        assertTrue(first.await(5, TimeUnit.SECONDS));
        awaitSchedulerIdle();

        assertTrue(scheduler.getQueue().isEmpty(), "no timer after cancel");
        assertEquals(1, lines.size(), "no tick after cancel: " + lines);
        assertEquals(1, finished.getCount());
    }

    @Test
    void cancelRemovesTheTimerThatIsWaiting() {
        TickWorker worker = worker(5, Duration.ofMinutes(1), 0);
        worker.start();
        assertEquals(1, scheduler.getQueue().size());

        worker.cancel();

        assertTrue(scheduler.getQueue().isEmpty());
    }

    @Test
    void cancelFindsTheLiveTimerEvenWhenTheFirstFiredBeforeScheduleReturned() throws Exception {
        scheduler.shutdownNow();
        scheduler = new FirstTimerAtOnce(); // tick 1 runs, and schedules tick 2, before start() has stored tick 1
        TickWorker worker = worker(5, Duration.ofMinutes(1), 0);
        worker.onData(chunk -> lines.add(new String(chunk, UTF_8)));

        worker.start();
        assertEquals(1, lines.size());
        assertEquals(1, scheduler.getQueue().size(), "tick 2 waits");

        worker.cancel();

        assertTrue(scheduler.getQueue().isEmpty(), "tick 2 was cancelled, not tick 1's finished timer");
    }
}
