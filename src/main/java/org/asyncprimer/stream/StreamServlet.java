package org.asyncprimer.stream;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.asyncprimer.app.App;
import org.asyncprimer.app.NoBuffering;
import org.asyncprimer.app.QueryParams.BadParameter;

/**
 * The seed's first example: START, then MIDDLE 3 s later, then END 5 s after that, each flushed as it is
 * written, without holding a thread while it waits.
 *
 * <pre>curl -N http://localhost:8080/stream</pre>
 */
@WebServlet(urlPatterns = "/stream", asyncSupported = true)
public final class StreamServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** Added to the planned duration for the async timeout: a stream that outlives it is ended. */
    private static final Duration TIMEOUT_MARGIN = Duration.ofSeconds(30);

    private transient App app;

    @Override
    public void init() {
        app = App.from(getServletContext());
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        StreamTimings timings;
        try {
            timings = StreamTimings.from(request);
        } catch (BadParameter e) {
            e.send(response);
            return;
        }
        StreamFormat format = headers(request, response);
        AsyncContext async = request.startAsync();
        // Tomcat's default is 30 s; the stream may legitimately last up to two minutes.
        async.setTimeout(timings.total().plus(TIMEOUT_MARGIN).toMillis());
        new StreamTimeline(async, format, timings, app.scheduler(), app.streams()).start();
    }

    /** HEAD answers at once with GET's headers: nothing to wait for when no body is sent. */
    @Override
    protected void doHead(HttpServletRequest request, HttpServletResponse response) {
        headers(request, response);
    }

    private static StreamFormat headers(HttpServletRequest request, HttpServletResponse response) {
        StreamFormat format = StreamFormat.forAccept(request.getHeader("Accept"));
        response.setContentType(format.contentType());
        NoBuffering.apply(response);
        return format;
    }
}
