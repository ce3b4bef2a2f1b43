package org.asyncprimer.fetch;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TickWorkerTest {

    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-11-26T15:00:01Z"), ZoneOffset.UTC);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final CountDownLatch finished = new CountDownLatch(1);

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    private TickWorker worker(int count, int pad) {
        return new TickWorker(scheduler, new FetchSettings(count, Duration.ZERO, pad, Duration.ofMinutes(1)), FIXED);
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
        assertFalse(finished.await(100, TimeUnit.MILLISECONDS), "paused: nothing more is produced");
        assertEquals(List.of(), lines);

        room.set(true);
        worker.resume();

        assertTrue(finished.await(5, TimeUnit.SECONDS));
        assertEquals(3, lines.size());
        assertTrue(lines.get(0).startsWith("{\"seq\":1,"), lines.get(0));
    }

    @Test
    void producesNothingAfterCancel() throws Exception {
        TickWorker worker = new TickWorker(scheduler,
                new FetchSettings(5, Duration.ofMillis(50), 0, Duration.ofMinutes(1)), FIXED);
        CountDownLatch first = new CountDownLatch(1);
        worker.onData(chunk -> {
            lines.add(new String(chunk, UTF_8));
            first.countDown();
            return true;
        });
        worker.onFinish(finished::countDown);

        worker.start();
        assertTrue(first.await(5, TimeUnit.SECONDS));
        worker.cancel();

        assertFalse(finished.await(400, TimeUnit.MILLISECONDS));
        assertEquals(1, lines.size(), "no tick after cancel: " + lines);
    }
}
