package org.asyncprimer.stream;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
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

    private transient App app;
    private transient AsyncResponse.Shared shared;

    @Override
    public void init() {
        app = App.from(getServletContext());
        shared = app.shared(app.register(new OpenResponses<>("openStreams", StreamTimeline.class)));
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<StreamTimings> timings = QueryParams.reader(StreamTimings::from).readOr400(request, response);
        if (timings.isEmpty()) {
            return;
        }
        StreamFormat format = headers(request, response);
        AsyncContext async = app.startAsync(request, timings.get().total());
        new StreamTimeline(async, shared, format, timings.get()).start();
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
