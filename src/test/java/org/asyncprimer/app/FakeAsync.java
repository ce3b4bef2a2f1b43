package org.asyncprimer.app;

import static java.nio.charset.StandardCharsets.UTF_8;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * The container, as far as an {@link AsyncResponse} sees it, for unit tests: an {@link AsyncContext} that counts
 * its {@code complete()} calls, and an output stream whose readiness the test controls, which can hold a write
 * in progress, and which notices a {@code complete()} or a second write while a write is in progress.
 */
public final class FakeAsync {

    public final Output out = new Output();
    public final AtomicInteger status = new AtomicInteger(200);
    /** Headers set on the response, the content type under {@code Content-Type}. */
    public final Map<String, String> headers = new ConcurrentHashMap<>();
    /** What {@code isCommitted()} answers: true once the test says bytes went out. */
    public volatile boolean committed;
    public final AtomicInteger completions = new AtomicInteger();
    /** complete() calls that came while a write was in progress: the race the drain exists to prevent. */
    public final AtomicInteger completionsDuringWrite = new AtomicInteger();
    public final CountDownLatch completed = new CountDownLatch(1);
    public final AsyncContext context;

    public FakeAsync() {
        HttpServletResponse response = proxy(HttpServletResponse.class, (name, args) -> switch (name) {
            case "getOutputStream" -> out;
            case "setStatus" -> {
                status.set((Integer) args[0]);
                yield null;
            }
            case "setHeader" -> {
                headers.put((String) args[0], (String) args[1]);
                yield null;
            }
            case "setContentType" -> {
                headers.put("Content-Type", (String) args[0]);
                yield null;
            }
            case "isCommitted" -> committed;
            default -> null;
        });
        context = proxy(AsyncContext.class, (name, args) -> switch (name) {
            case "getResponse" -> response;
            case "complete" -> {
                if (out.writing.get() > 0) {
                    completionsDuringWrite.incrementAndGet();
                }
                completions.incrementAndGet();
                completed.countDown();
                yield null;
            }
            default -> null;
        });
    }

    /** What the application would give a response; the stall timeout long enough not to matter unless asked. */
    public static AsyncResponse.Shared shared(ScheduledExecutorService scheduler, OpenResponses<?> registry) {
        return new AsyncResponse.Shared(scheduler, registry, Duration.ofMinutes(10));
    }

    public boolean awaitCompleted() throws InterruptedException {
        return completed.await(5, TimeUnit.SECONDS);
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, BiFunction<String, Object[], Object> answer) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (self, method, args) -> answer.apply(method.getName(), args));
    }

    /** An output stream whose readiness the test controls, as a client's reading would. */
    public static final class Output extends ServletOutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        public volatile boolean ready = true;
        public volatile boolean failWrites;
        /** Run on the writing thread as a write fails, before it throws: a container that calls back inline. */
        public volatile Runnable onWriteFailure = () -> { };
        public final AtomicInteger flushes = new AtomicInteger();
        /** Writes that overlapped another write. */
        public final AtomicInteger overlappingWrites = new AtomicInteger();
        final AtomicInteger writing = new AtomicInteger();
        private volatile CountDownLatch holdEntered;
        private volatile CountDownLatch holdRelease;
        public volatile WriteListener listener;

        /** The next write waits inside write() until {@link #releaseWrite()}; returns a latch for its start. */
        public CountDownLatch holdNextWrite() {
            holdRelease = new CountDownLatch(1);
            holdEntered = new CountDownLatch(1);
            return holdEntered;
        }

        public void releaseWrite() {
            holdRelease.countDown();
        }

        /** The client took the bytes: readiness returns and the container says so. */
        public void becomeReady() throws IOException {
            ready = true;
            listener.onWritePossible();
        }

        public synchronized String written() {
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
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (writing.incrementAndGet() > 1) {
                overlappingWrites.incrementAndGet();
            }
            try {
                CountDownLatch entered = holdEntered;
                if (entered != null) {
                    holdEntered = null;
                    entered.countDown();
                    awaitRelease();
                }
                if (failWrites) {
                    onWriteFailure.run();
                    throw new IOException("Broken pipe");
                }
                synchronized (this) {
                    bytes.write(b, off, len);
                }
            } finally {
                writing.decrementAndGet();
            }
        }

        private void awaitRelease() throws IOException {
            try {
                if (!holdRelease.await(10, TimeUnit.SECONDS)) {
                    throw new IOException("the test never released the write");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        @Override
        public void flush() {
            flushes.incrementAndGet();
        }
    }
}
