package org.asyncprimer.app;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * A servlet that serves GET and HEAD only. OPTIONS answers 200 with {@code Allow}; every other method gets 405
 * with {@code Allow} (RFC 9110 15.5.6), PATCH and other methods {@link HttpServlet} does not know included: it
 * would answer those 501, as if the server had never heard of them.
 */
public abstract class GetOnlyServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final String ALLOW = "GET, HEAD, OPTIONS";

    @Override
    protected final void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        switch (request.getMethod()) {
            case "GET", "HEAD" -> super.service(request, response);
            case "OPTIONS" -> response.setHeader("Allow", ALLOW);
            default -> {
                response.setHeader("Allow", ALLOW);
                response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            }
        }
    }
}
