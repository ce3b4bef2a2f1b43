package org.asyncprimer.fetch;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import org.asyncprimer.app.App;
import org.asyncprimer.app.ContextParams;
import org.asyncprimer.app.NoBuffering;
import org.asyncprimer.app.QueryParams.BadParameter;

/**
 * The seed's long-poll: the response body is a queue that an asynchronous worker feeds, written out as the
 * chunks arrive, one JSON line each.
 *
 * <pre>curl -N http://localhost:8080/fetch</pre>
 */
@WebServlet(urlPatterns = "/fetch", asyncSupported = true)
public final class FetchServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** Context parameter: chunks a response may hold for a slow client (default 16, 1..1024). */
    static final String QUEUE_CAPACITY = "asyncprimer.fetch.queueCapacity";

    /** Added to the planned duration for the async timeout: the bound on a client that stops reading. */
    private static final Duration TIMEOUT_MARGIN = Duration.ofSeconds(30);

    private transient App app;
    private int queueCapacity;

    @Override
    public void init() {
        app = App.from(getServletContext());
        queueCapacity = ContextParams.intParam(getServletContext(), QUEUE_CAPACITY, 16, 1, 1024);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        FetchSettings settings;
        try {
            settings = FetchSettings.from(request);
        } catch (BadParameter e) {
            e.send(response);
            return;
        }
        headers(response);
        AsyncContext async = request.startAsync();
        async.setTimeout(settings.planned().plus(TIMEOUT_MARGIN).toMillis());

        QueueBody body = new QueueBody(async, queueCapacity, settings.timeout(), app.scheduler(), app.fetches());
        Worker worker = new TickWorker(app.scheduler(), settings, Clock.systemUTC());
        worker.onData(body::offer);   // on_data   -> body.put(chunk)
        worker.onFinish(body::end);   // on_finish -> body.put(StopIteration)
        worker.onError(body::fail);
        body.start(worker);           // starts the worker once the response can be written
    }

    @Override
    protected void doHead(HttpServletRequest request, HttpServletResponse response) {
        headers(response);
    }

    private static void headers(HttpServletResponse response) {
        response.setContentType("application/x-ndjson;charset=UTF-8");
        NoBuffering.apply(response);
    }
}
