package org.asyncprimer.stream;

import io.micrometer.core.instrument.Timer;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.DoubleStream;
import org.asyncprimer.app.Accept;
import org.asyncprimer.app.App;
import org.asyncprimer.app.AsyncResponse;
import org.asyncprimer.app.GetOnlyServlet;
import org.asyncprimer.app.NoBuffering;
import org.asyncprimer.app.OpenResponses;
import org.asyncprimer.app.QueryParams;

/**
 * The seed's first example: START, then MIDDLE 3 s later, then END 5 s after that, each flushed as it is
 * written, without holding a thread while it waits.
 *
 * <pre>curl -N http://localhost:8080/stream</pre>
 */
// Loaded at startup so that /status lists openStreams from the first moment, not from the first stream.
@WebServlet(urlPatterns = "/stream", asyncSupported = true, loadOnStartup = 1)
public final class StreamServlet extends GetOnlyServlet {

    private static final long serialVersionUID = 1L;

    /** Bucket bounds of the lateness histogram, in ms: sub-millisecond timer jitter up to a minute behind. */
    private static final Duration[] LATENESS_BUCKETS = DoubleStream.of(
            0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000)
            .mapToObj(ms -> Duration.ofNanos((long) (ms * 1_000_000))).toArray(Duration[]::new);

    private transient App app;
    private transient AsyncResponse.Shared shared;
    private transient Timer lateness;

    @Override
    public void init() {
        app = App.from(getServletContext());
        shared = app.shared(app.register(new OpenResponses<>("openStreams", "stream", StreamTimeline.class)));
        // The server's side of the seed's claim: how late MIDDLE and END went out, against the request's start.
        lateness = Timer.builder("asyncprimer.stream.lateness")
                .description("how long after its due time (request start + first, + second) each timed /stream "
                        + "chunk (MIDDLE, END) was written")
                .serviceLevelObjectives(LATENESS_BUCKETS)
                .register(app.meters());
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<StreamTimings> timings = QueryParams.reader(StreamTimings::from).readOr400(request, response);
        if (timings.isEmpty()) {
            return;
        }
        StreamFormat format = headers(request, response);
        AsyncContext async = app.startAsync(request, timings.get().total());
        new StreamTimeline(async, shared, format, timings.get(), lateness).start();
    }

    /**
     * HEAD answers at once with GET's headers (nothing to wait for when no body is sent), or GET's 400 for the same
     * bad query.
     */
    @Override
    protected void doHead(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (QueryParams.reader(StreamTimings::from).readOr400(request, response).isPresent()) {
            headers(request, response);
        }
    }

    private static StreamFormat headers(HttpServletRequest request, HttpServletResponse response) {
        StreamFormat format = StreamFormat.forAccept(Accept.header(request));
        response.setContentType(format.contentType());
        NoBuffering.apply(response);
        return format;
    }
}
