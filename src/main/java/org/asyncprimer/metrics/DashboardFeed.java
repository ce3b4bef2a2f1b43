package org.asyncprimer.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.AsyncContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.app.AsyncResponse;
import org.asyncprimer.app.Next;
import org.asyncprimer.app.Outcome;

/**
 * One dashboard's Server-Sent Events feed: a sample event at once, then one a second, for a bounded number of
 * events (the browser's EventSource reconnects after the last). Between events it is one timer in the shared
 * scheduler, like a /stream; the timer takes the sample and drains, and the next timer is set once the event is
 * written, so a slow client never has more than one event waiting.
 */
final class DashboardFeed extends AsyncResponse implements Runnable {

    private static final System.Logger LOG = System.getLogger(DashboardFeed.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Sampler sampler;
    private final Duration interval;

    private volatile int left;
    private volatile byte[] pending;
    private volatile ScheduledFuture<?> timer;

    DashboardFeed(AsyncContext async, Shared shared, Sampler sampler, Duration interval, int events) {
        super(async, shared);
        this.sampler = sampler;
        this.interval = interval;
        this.left = events;
    }

    void start() throws IOException {
        begin();
    }

    @Override
    protected void started() {
        timer = scheduler().schedule(this, 0, TimeUnit.NANOSECONDS);
    }

    /** The timer: sample now, then write it. */
    @Override
    public void run() {
        try {
            pending = event(sampler.sample());
        } catch (RuntimeException | JsonProcessingException bug) {
            LOG.log(System.Logger.Level.WARNING, "ending a dashboard feed: sampling failed", bug);
            finishAs(Outcome.ERROR);
            return;
        }
        drain();
    }

    @Override
    protected Next next() {
        if (left == 0) {
            return Next.END;
        }
        byte[] event = pending;
        return event == null ? Next.WAIT : Next.write(event);
    }

    @Override
    protected void written(byte[] chunk) {
        pending = null;
        left--;
        if (left > 0) {
            timer = scheduler().schedule(this, interval.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    protected void stopped() {
        cancel(timer);
    }

    private static byte[] event(Object sample) throws JsonProcessingException {
        return ("event: sample\ndata: " + JSON.writeValueAsString(sample) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
