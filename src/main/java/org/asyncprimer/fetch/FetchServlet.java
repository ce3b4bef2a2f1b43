package org.asyncprimer.fetch;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import org.asyncprimer.app.App;
import org.asyncprimer.app.AsyncResponse;
import org.asyncprimer.app.ContextParams;
import org.asyncprimer.app.GetOnlyServlet;
import org.asyncprimer.app.NoBuffering;
import org.asyncprimer.app.OpenResponses;
import org.asyncprimer.app.QueryParams;

/**
 * The seed's long-poll: the response body is a queue that an asynchronous worker feeds, written out as the
 * chunks arrive, one JSON line each.
 *
 * <pre>curl -N http://localhost:8080/fetch</pre>
 */
// Loaded at startup so that /status lists this kind's fields from the first moment, and a bad context parameter
// fails the deployment rather than the first request.
@WebServlet(urlPatterns = "/fetch", asyncSupported = true, loadOnStartup = 2)
public final class FetchServlet extends GetOnlyServlet {

    private static final long serialVersionUID = 1L;

    /** Context parameter: chunks a response may hold for a slow client (default 16, 1..1024). */
    static final String QUEUE_CAPACITY = "asyncprimer.fetch.queueCapacity";

    /**
     * Context parameter: bytes a response may hold for a slow client (default 262144, 1..16777216). The worker
     * pauses when the next chunk would go past it; a single chunk larger than the bound still goes alone into an
     * empty queue, so a response holds at most max(this, one chunk).
     */
    static final String MAX_QUEUED_BYTES = "asyncprimer.fetch.maxQueuedBytes";

    private transient App app;
    private transient AsyncResponse.Shared shared;
    private QueueBody.Bounds bounds;

    @Override
    public void init() {
        app = App.from(getServletContext());
        bounds = new QueueBody.Bounds(
                ContextParams.intParam(getServletContext(), QUEUE_CAPACITY, 16, 1, 1024),
                ContextParams.intParam(getServletContext(), MAX_QUEUED_BYTES, 262_144, 1, 16_777_216));
        shared = app.shared(app.register(new OpenResponses<>("openFetches", "fetch", QueueBody.class)
                .gauge("pausedFetchWorkers", body -> body.paused() ? 1 : 0)
                .gauge("queuedFetchChunks", QueueBody::queued)
                .gauge("queuedFetchBytes", QueueBody::queuedBytes)));
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<FetchSettings> settings = QueryParams.reader(FetchSettings::from).readOr400(request, response);
        if (settings.isEmpty()) {
            return;
        }
        headers(response);
        AsyncContext async = app.startAsync(request, settings.get().planned());

        QueueBody body = new QueueBody(async, shared, bounds, settings.get().timeout());
        Worker worker = new TickWorker(app.scheduler(), settings.get(), Clock.systemUTC());
        worker.onData(body::offer);   // on_data   -> body.put(chunk)
        worker.onFinish(body::end);   // on_finish -> body.put(StopIteration)
        worker.onError(body::fail);
        body.start(worker);           // starts the worker once the response can be written
    }

    /** HEAD answers at once with GET's headers, or GET's 400 for the same bad query. */
    @Override
    protected void doHead(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (QueryParams.reader(FetchSettings::from).readOr400(request, response).isPresent()) {
            headers(response);
        }
    }

    private static void headers(HttpServletResponse response) {
        response.setContentType("application/x-ndjson;charset=UTF-8");
        NoBuffering.apply(response);
    }
}
