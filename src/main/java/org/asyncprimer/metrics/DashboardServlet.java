package org.asyncprimer.metrics;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.asyncprimer.app.App;
import org.asyncprimer.app.AsyncResponse;
import org.asyncprimer.app.GetOnlyServlet;
import org.asyncprimer.app.NoBuffering;
import org.asyncprimer.app.OpenResponses;

/**
 * The dashboard's feed: once a second, as Server-Sent Events, the figures {@code /metrics} has (connections held
 * by kind, stream lateness p50/p99, messages per second, heap, request threads). It is an open response of its
 * own kind, {@code dashboard}, and readable by the same clients as /metrics.
 *
 * <pre>curl -N http://localhost:8080/status/stream</pre>
 */
// Loaded at startup so that /status and /metrics list the dashboard kind from the first moment.
@WebServlet(urlPatterns = "/status/stream", asyncSupported = true, loadOnStartup = 3)
public final class DashboardServlet extends GetOnlyServlet {

    private static final long serialVersionUID = 1L;

    static final Duration INTERVAL = Duration.ofSeconds(1);
    /** Events per response: ten minutes, then the browser reconnects (a client pins nothing for longer). */
    static final int EVENTS = 600;
    /** Each feed samples the registry once a second: a bound on what dashboards may cost. */
    static final int MAX_OPEN = 32;

    private transient App app;
    private transient OpenResponses<DashboardFeed> open;
    private transient AsyncResponse.Shared shared;

    @Override
    public void init() {
        app = App.from(getServletContext());
        open = app.register(new OpenResponses<>("openDashboards", "dashboard", DashboardFeed.class));
        shared = app.shared(open);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!admitted(request, response)) {
            return;
        }
        AsyncContext async = app.startAsync(request, INTERVAL.multipliedBy(EVENTS));
        Sampler sampler = new Sampler(app.meters(), new ThreadPoolProbe(request.getLocalPort()));
        new DashboardFeed(async, shared, sampler, INTERVAL, EVENTS).start();
    }

    @Override
    protected void doHead(HttpServletRequest request, HttpServletResponse response) throws IOException {
        admitted(request, response);
    }

    private boolean admitted(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Metering metering = app.metering();
        if (!metering.enabled()) {
            MetricsServlet.refuse(response, HttpServletResponse.SC_NOT_FOUND,
                    "metrics are off (asyncprimer.metrics.enabled)");
            return false;
        }
        if (!metering.allows(request.getRemoteAddr())) {
            MetricsServlet.refuse(response, HttpServletResponse.SC_FORBIDDEN,
                    "the dashboard's feed is for the clients /metrics answers");
            return false;
        }
        if (open.size() >= MAX_OPEN) {
            response.setHeader("Retry-After", "10");
            MetricsServlet.refuse(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    "too many dashboards open (at most " + MAX_OPEN + ")");
            return false;
        }
        response.setContentType("text/event-stream;charset=UTF-8");
        NoBuffering.apply(response);
        return true;
    }
}
