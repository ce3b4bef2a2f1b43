package org.asyncprimer.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many asynchronous responses of each kind are open right now, what each kind reports about them, and how
 * many timers wait in the scheduler, as JSON: what tests and the benchmark read to see that a client going away
 * leaves nothing behind.
 *
 * <pre>curl http://localhost:8080/status</pre>
 */
@WebServlet("/status")
public final class StatusServlet extends GetOnlyServlet {

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
        app.report(status);
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        JSON.writeValue(response.getOutputStream(), status);
    }
}
