package org.asyncprimer.fetch;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.asyncprimer.app.FakeAsync;
import org.asyncprimer.app.OpenResponses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The queue-and-drain logic against a scripted output stream: no container, every step deterministic. */
class QueueBodyTest {

    private static final int NO_BYTE_BOUND = Integer.MAX_VALUE;

    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final FakeAsync fake = new FakeAsync();
    private final RecordingWorker worker = new RecordingWorker();
    private final OpenResponses<QueueBody> registry = new OpenResponses<>("openFetches", QueueBody.class);

    QueueBodyTest() {
        scheduler.setRemoveOnCancelPolicy(true); // so an empty queue means no live timer
    }

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    private QueueBody startBody(int chunks, int bytes, Duration longPoll) throws Exception {
        QueueBody body = new QueueBody(fake.context, FakeAsync.shared(scheduler, registry),
                new QueueBody.Bounds(chunks, bytes), longPoll);
        body.start(worker);
        fake.out.listener.onWritePossible(); // what the container does once the listener is set
        return body;
    }

    private QueueBody startBody(int chunks, Duration longPoll) throws Exception {
        return startBody(chunks, NO_BYTE_BOUND, longPoll);
    }

    @Test
    void startsTheWorkerOnceTheResponseCanBeWritten() throws Exception {
        startBody(4, Duration.ofMinutes(1));

        assertEquals(1, worker.started.get());
        assertEquals(1, registry.size());
    }

    @Test
    void writesAndFlushesEachChunkAsSoonAsItIsOffered() throws Exception {
        QueueBody body = startBody(4, Duration.ofMinutes(1));

        assertTrue(body.offer(bytes("one\n")));
        assertEquals("one\n", fake.out.written());
        assertEquals(1, fake.out.flushes.get());
        assertTrue(body.offer(bytes("two\n")));
        assertEquals("one\ntwo\n", fake.out.written());
        assertEquals(2, fake.out.flushes.get());
        assertEquals(0, body.queued());
        assertEquals(0, body.queuedBytes());
    }

    @Test
    void completesAtTheEndMarkerAfterEveryChunk() throws Exception {
        QueueBody body = startBody(4, Duration.ofMinutes(1));
        fake.out.ready = false;
        body.offer(bytes("a"));
        body.offer(bytes("b"));
        body.end();
        assertEquals(0, fake.completions.get(), "not completed while chunks wait");

        fake.out.becomeReady();

        assertEquals("ab", fake.out.written());
        assertEquals(1, fake.completions.get());
        assertEquals(0, registry.size());
        assertEquals(1, worker.cancelled.get(), "a finished body stops its worker");
    }

    @Test
    void refusesChunksBeyondItsBoundAndResumesTheWorkerWhenDrained() throws Exception {
        QueueBody body = startBody(3, Duration.ofMinutes(1));
        fake.out.ready = false;

        assertTrue(body.offer(bytes("1")));
        assertTrue(body.offer(bytes("2")));
        assertTrue(body.offer(bytes("3")));
        assertFalse(body.offer(bytes("4")), "the fourth chunk does not fit");
        assertTrue(body.paused());
        assertEquals(3, body.queued());
        assertEquals(0, worker.resumed.get());

        fake.out.becomeReady();

        assertEquals("123", fake.out.written());
        assertFalse(body.paused());
        assertEquals(1, worker.resumed.get());
    }

    @Test
    void pausesTheWorkerWhenTheNextChunkWouldPassTheByteBound() throws Exception {
        QueueBody body = startBody(16, 10, Duration.ofMinutes(1));
        fake.out.ready = false;

        assertTrue(body.offer(bytes("12345")));
        assertTrue(body.offer(bytes("6789")));
        assertFalse(body.offer(bytes("ab")), "9 + 2 bytes would pass the bound of 10");
        assertTrue(body.paused());
        assertEquals(9, body.queuedBytes());

        fake.out.becomeReady();

        assertEquals("123456789", fake.out.written());
        assertEquals(0, body.queuedBytes());
        assertEquals(1, worker.resumed.get());
    }

    @Test
    void takesAChunkLargerThanTheByteBoundAloneIntoAnEmptyQueue() throws Exception {
        QueueBody body = startBody(16, 10, Duration.ofMinutes(1));
        fake.out.ready = false;

        assertTrue(body.offer(bytes("twenty bytes, alone.")), "else a large chunk could never be sent");
        assertFalse(body.offer(bytes("x")), "nothing joins it");
        assertEquals(20, body.queuedBytes());

        fake.out.becomeReady();

        assertEquals("twenty bytes, alone.", fake.out.written());
        assertEquals(1, worker.resumed.get());
    }

    @Test
    void answersNoContentWhenTheLongPollEndsWithNothingProduced() throws Exception {
        startBody(4, Duration.ofMillis(20));

        assertTrue(fake.awaitCompleted());
        assertEquals(204, fake.status.get());
        assertEquals("", fake.out.written());
        assertEquals(1, fake.completions.get());
    }

    @Test
    void cancelsTheLongPollTimerOnceSomethingWasWritten() throws Exception {
        QueueBody body = startBody(4, Duration.ofMinutes(1));
        assertEquals(1, scheduler.getQueue().size(), "the long-poll timer");

        body.offer(bytes("early"));

        assertTrue(scheduler.getQueue().isEmpty(), "the long-poll timer no longer applies");
        assertEquals(200, fake.status.get());
        assertEquals(0, fake.completions.get());
    }

    @Test
    void answersBadGatewayWhenTheWorkerFailsBeforeAnyData() throws Exception {
        QueueBody body = startBody(4, Duration.ofMinutes(1));

        body.fail(new IllegalStateException("upstream gone"));

        assertEquals(1, fake.completions.get());
        assertEquals(502, fake.status.get());
    }

    @Test
    void endsAfterTheDataWhenTheWorkerFailsMidway() throws Exception {
        QueueBody body = startBody(4, Duration.ofMinutes(1));
        body.offer(bytes("partial\n"));

        body.fail(new IllegalStateException("upstream gone"));

        assertEquals(1, fake.completions.get());
        assertEquals(200, fake.status.get());
        assertEquals("partial\n", fake.out.written());
    }

    @Test
    void finishesOnceAndIgnoresLateChunks() throws Exception {
        QueueBody body = startBody(4, Duration.ofMinutes(1));

        body.finish();
        body.finish();
        body.onTimeout(null);
        assertTrue(body.offer(bytes("late")), "a late chunk is swallowed, so the worker does not pause");
        body.end();

        assertEquals(1, fake.completions.get(), "complete() is called exactly once");
        assertEquals(1, worker.cancelled.get());
        assertEquals("", fake.out.written());
        assertEquals(0, registry.size());
        assertTrue(scheduler.getQueue().isEmpty(), "the long-poll timer is cancelled");
    }

    @Test
    void finishesWhenTheClientIsGone() throws Exception {
        QueueBody body = startBody(4, Duration.ofMinutes(1));
        fake.out.failWrites = true;

        body.offer(bytes("lost"));

        assertEquals(1, fake.completions.get());
        assertEquals(1, worker.cancelled.get());
        assertEquals(0, body.queuedBytes(), "what was queued is let go");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    /** Counts what the body asks of its worker. */
    private static final class RecordingWorker implements Worker {
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger resumed = new AtomicInteger();
        final AtomicInteger cancelled = new AtomicInteger();

        @Override
        public void onData(Predicate<byte[]> callback) {
        }

        @Override
        public void onFinish(Runnable callback) {
        }

        @Override
        public void onError(Consumer<Throwable> callback) {
        }

        @Override
        public void start() {
            started.incrementAndGet();
        }

        @Override
        public void resume() {
            resumed.incrementAndGet();
        }

        @Override
        public void cancel() {
            cancelled.incrementAndGet();
        }
    }
}
