package org.asyncprimer.websocket;

import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * A plain GET of /websocket, without an upgrade (the container handles upgrades before any servlet): a browser
 * gets the demo page, any other client the seed's {@code abort(400, 'Expected WebSocket request.')}.
 *
 * <pre>curl -i http://localhost:8080/websocket</pre>
 */
@WebServlet("/websocket")
public final class WebSocketPageServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

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
