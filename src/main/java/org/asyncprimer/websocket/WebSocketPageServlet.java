package org.asyncprimer.websocket;

import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.asyncprimer.app.App;
import org.asyncprimer.app.GetOnlyServlet;
import org.asyncprimer.app.OpenResponses;

/**
 * A plain GET of /websocket, without an upgrade (the container handles upgrades before any servlet): a browser
 * gets the demo page, any other client the seed's {@code abort(400, 'Expected WebSocket request.')}.
 *
 * <pre>curl -i http://localhost:8080/websocket</pre>
 */
// Loaded at startup, the one piece of /websocket the container initialises with the context: it registers the echo
// sessions' kind and meters, which /status and /metrics then list from the first moment.
@WebServlet(urlPatterns = "/websocket", loadOnStartup = 4)
public final class WebSocketPageServlet extends GetOnlyServlet {

    private static final long serialVersionUID = 1L;

    @Override
    public void init() {
        App app = App.from(getServletContext());
        app.register(new OpenResponses<>(EchoEndpoint.KIND, "websocket-echo", EchoEndpoint.class)
                .gauge("queuedEchoChars", EchoEndpoint::queuedChars));
        EchoEndpoint.messages(app.meters(), "in"); // so that /metrics lists them before the first session
        EchoEndpoint.messages(app.meters(), "out");
    }

    static final String PAGE = "/websocket.html";

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        String accept = request.getHeader("Accept");
        if (accept != null && accept.contains("text/html")) {
            request.getRequestDispatcher(PAGE).forward(request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().print("Expected WebSocket request.");
    }
}
