package org.asyncprimer.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many asynchronous responses are open right now, as JSON: what tests and the benchmark read to see that
 * a client going away leaves nothing behind.
 *
 * <pre>curl http://localhost:8080/status</pre>
 */
@WebServlet("/status")
public final class StatusServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private transient App app;

    @Override
    public void init() {
        app = App.from(getServletContext());
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("openStreams", app.streams().size());
        status.put("openFetches", app.fetches().size());
        status.put("pausedFetchWorkers", app.fetches().paused());
        status.put("queuedFetchChunks", app.fetches().queued());
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        JSON.writeValue(response.getOutputStream(), status);
    }
}
