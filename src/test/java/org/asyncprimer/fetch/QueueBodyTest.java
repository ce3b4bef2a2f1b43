package org.asyncprimer.fetch;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.asyncprimer.app.OpenResponses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The queue-and-drain logic against a scripted output stream: no container, every step deterministic. */
class QueueBodyTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final FakeOutput out = new FakeOutput();
    private final CountDownLatch completed = new CountDownLatch(1);
    private final AtomicInteger status = new AtomicInteger(200);
    private final RecordingWorker worker = new RecordingWorker();
    private final OpenResponses registry = new OpenResponses();

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    private QueueBody startBody(int capacity, Duration longPoll) throws Exception {
        HttpServletResponse response = proxy(HttpServletResponse.class, (name, args) -> switch (name) {
            case "getOutputStream" -> out;
            case "setStatus" -> {
                status.set((Integer) args[0]);
                yield null;
            }
            default -> null;
        });
        AsyncContext async = proxy(AsyncContext.class, (name, args) -> switch (name) {
            case "getResponse" -> response;
            case "complete" -> {
                completed.countDown();
                yield null;
            }
            default -> null;
        });
        QueueBody body = new QueueBody(async, capacity, longPoll, scheduler, registry);
        body.start(worker);
        out.listener.onWritePossible(); // what the container does once the listener is set
        return body;
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
        assertEquals("one\n", out.written());
        assertEquals(1, out.flushes);
        assertTrue(body.offer(bytes("two\n")));
        assertEquals("one\ntwo\n", out.written());
        assertEquals(2, out.flushes);
    }

    @Test
    void completesAtTheEndMarkerAfterEveryChunk() throws Exception {
        QueueBody body = startBody(4, Duration.ofMinutes(1));
        out.ready = false;
        body.offer(bytes("a"));
        body.offer(bytes("b"));
        body.end();
        assertEquals(1, completed.getCount(), "not completed while chunks wait");

        out.becomeReady();

        assertEquals("ab", out.written());
        assertTrue(completed.await(1, TimeUnit.SECONDS));
        assertEquals(0, registry.size());
        assertEquals(1, worker.cancelled.get(), "a finished body stops its worker");
    }

    @Test
    void refusesChunksBeyondItsBoundAndResumesTheWorkerWhenDrained() throws Exception {
        QueueBody body = startBody(3, Duration.ofMinutes(1));
        out.ready = false;

        assertTrue(body.offer(bytes("1")));
        assertTrue(body.offer(bytes("2")));
        assertTrue(body.offer(bytes("3")));
        assertFalse(body.offer(bytes("4")), "the fourth chunk does not fit");
        assertTrue(body.paused());
        assertEquals(3, body.queued());
        assertEquals(0, worker.resumed.get());

        out.becomeReady();

        assertEquals("123", out.written());
        assertFalse(body.paused());
        assertEquals(1, worker.resumed.get());
    }

    @Test
    void answersNoContentWhenTheLongPollEndsWithNothingProduced() throws Exception {
        startBody(4, Duration.ofMillis(20));

        assertTrue(completed.await(5, TimeUnit.SECONDS));
        assertEquals(204, status.get());
        assertEquals("", out.written());
    }

    @Test
    void keepsStreamingPastTheLongPollOnceSomethingWasWritten() throws Exception {
        QueueBody body = startBody(4, Duration.ofMillis(20));
        body.offer(bytes("early"));

        assertFalse(completed.await(200, TimeUnit.MILLISECONDS), "the long-poll timer no longer applies");
        assertEquals(200, status.get());
    }

    @Test
    void answersBadGatewayWhenTheWorkerFailsBeforeAnyData() throws Exception {
        QueueBody body = startBody(4, Duration.ofMinutes(1));

        body.fail(new IllegalStateException("upstream gone"));

        assertTrue(completed.await(1, TimeUnit.SECONDS));
        assertEquals(502, status.get());
    }

    @Test
    void endsAfterTheDataWhenTheWorkerFailsMidway() throws Exception {
        QueueBody body = startBody(4, Duration.ofMinutes(1));
        body.offer(bytes("partial\n"));

        body.fail(new IllegalStateException("upstream gone"));

        assertTrue(completed.await(1, TimeUnit.SECONDS));
        assertEquals(200, status.get());
        assertEquals("partial\n", out.written());
    }

    @Test
    void finishesOnceAndIgnoresLateChunks() throws Exception {
        QueueBody body = startBody(4, Duration.ofMinutes(1));

        body.finish();
        body.finish();
        assertTrue(body.offer(bytes("late")), "a late chunk is swallowed, so the worker does not pause");

        assertEquals(0, completed.getCount());
        assertEquals(1, worker.cancelled.get());
        assertEquals("", out.written());
        assertEquals(0, registry.size());
    }

    @Test
    void finishesWhenTheClientIsGone() throws Exception {
        QueueBody body = startBody(4, Duration.ofMinutes(1));
        out.failWrites = true;

        body.offer(bytes("lost"));

        assertTrue(completed.await(1, TimeUnit.SECONDS));
        assertEquals(1, worker.cancelled.get());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, java.util.function.BiFunction<String, Object[], Object> answer) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (self, method, args) -> answer.apply(method.getName(), args));
    }

    /** An output stream whose readiness the test controls, as a client's reading would. */
    private static final class FakeOutput extends ServletOutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        volatile boolean ready = true;
        volatile boolean failWrites;
        int flushes;
        WriteListener listener;

        void becomeReady() throws java.io.IOException {
            ready = true;
            listener.onWritePossible();
        }

        String written() {
            return bytes.toString(UTF_8);
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void setWriteListener(WriteListener writeListener) {
            listener = writeListener;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            if (failWrites) {
                throw new java.io.IOException("Broken pipe");
            }
            bytes.write(b, off, len);
        }

        @Override
        public void flush() {
            flushes++;
        }
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
