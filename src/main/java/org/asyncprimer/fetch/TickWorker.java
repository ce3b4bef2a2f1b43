package org.asyncprimer.fetch;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The default {@link Worker}: {@code count} JSON lines {@code interval} apart, produced on the shared scheduler,
 * e.g. {@code {"seq":1,"of":5,"at":"2026-11-26T15:00:01.000Z"}}. It stands for any source that calls back
 * when data arrives (a remote service, a message broker). One timer at a time; none while paused.
 */
final class TickWorker implements Worker {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter AT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** One line of the body. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Tick(int seq, int of, String at, String pad) {
    }

    private final ScheduledExecutorService scheduler;
    private final FetchSettings settings;
    private final Clock clock;
    private final String pad;

    private Predicate<byte[]> data = chunk -> true;
    private Runnable finish = () -> { };
    private Consumer<Throwable> error = e -> { };

    private volatile int produced;
    private volatile byte[] held;
    private volatile boolean cancelled;
    private final AtomicReference<ScheduledFuture<?>> timer = new AtomicReference<>();

    TickWorker(ScheduledExecutorService scheduler, FetchSettings settings, Clock clock) {
        this.scheduler = scheduler;
        this.settings = settings;
        this.clock = clock;
        this.pad = settings.pad() == 0 ? null : "x".repeat(settings.pad());
    }

    @Override
    public void onData(Predicate<byte[]> callback) {
        data = callback;
    }

    @Override
    public void onFinish(Runnable callback) {
        finish = callback;
    }

    @Override
    public void onError(Consumer<Throwable> callback) {
        error = callback;
    }

    /** Called by the consumer; a scheduler that is shut down throws to it (RejectedExecutionException). */
    @Override
    public void start() {
        schedule(this::tick);
    }

    /** Called by the consumer; a scheduler that is shut down throws to it (RejectedExecutionException). */
    @Override
    public void resume() {
        // Never re-enter the consumer on its own thread: it called us from inside its drain loop.
        scheduler.execute(() -> {
            byte[] chunk = held;
            if (chunk != null && !cancelled) {
                emit(chunk);
            }
        });
    }

    @Override
    public void cancel() {
        cancelled = true;
        ScheduledFuture<?> pending = timer.get();
        if (pending != null) {
            pending.cancel(false);
        }
    }

    private void tick() {
        if (cancelled) {
            return;
        }
        byte[] line;
        try {
            int seq = produced + 1;
            line = (JSON.writeValueAsString(new Tick(seq, settings.count(), AT.format(clock.instant()), pad))
                    + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            cancelled = true;
            error.accept(e);
            return;
        }
        emit(line);
    }

    /** Offers a chunk; kept in {@code held} first, so a resume that races with the refusal finds it. */
    private void emit(byte[] chunk) {
        held = chunk;
        if (!data.test(chunk)) {
            return; // paused: resume() offers the held chunk again
        }
        held = null;
        produced++;
        if (produced == settings.count()) {
            finish.run();
            return;
        }
        try {
            schedule(this::tick);
        } catch (RejectedExecutionException shutDown) {
            cancelled = true; // on our own thread there is no caller to throw to: the error callback ends the body
            error.accept(shutDown);
        }
    }

    private void schedule(Runnable task) {
        if (cancelled) {
            return;
        }
        ScheduledFuture<?> before = timer.get();
        ScheduledFuture<?> next = scheduler.schedule(task, settings.interval().toNanos(), TimeUnit.NANOSECONDS);
        // With a short interval the task may have run, and stored the timer after it, before schedule() returned
        // here: storing ours then would hide that live one from cancel(). Store only over the handle seen before.
        timer.compareAndSet(before, next);
        if (cancelled) {
            next.cancel(false); // cancel() ran meanwhile and may have missed this timer
        }
    }
}
