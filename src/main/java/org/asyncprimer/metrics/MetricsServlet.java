package org.asyncprimer.metrics;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.asyncprimer.app.App;
import org.asyncprimer.app.GetOnlyServlet;

/**
 * Every meter of the application and of the JVM, in the Prometheus text format (OpenMetrics when the scraper
 * asks for it by {@code Accept}), for loopback clients and the addresses {@code asyncprimer.metrics.allow} lists.
 *
 * <pre>curl http://localhost:8080/metrics</pre>
 */
@WebServlet("/metrics")
public final class MetricsServlet extends GetOnlyServlet {

    private static final long serialVersionUID = 1L;

    private transient Metering metering;

    @Override
    public void init() {
        metering = App.from(getServletContext()).metering();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String contentType = admit(request, response);
        if (contentType != null) {
            metering.scrape(response.getOutputStream(), contentType);
        }
    }

    @Override
    protected void doHead(HttpServletRequest request, HttpServletResponse response) throws IOException {
        admit(request, response);
    }

    /** The content type to scrape in, with the headers set; or null, with the refusal sent. */
    private String admit(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!metering.enabled()) {
            refuse(response, HttpServletResponse.SC_NOT_FOUND, "metrics are off (asyncprimer.metrics.enabled)");
            return null;
        }
        if (!metering.allows(request.getRemoteAddr())) {
            refuse(response, HttpServletResponse.SC_FORBIDDEN, "metrics are for loopback clients and those "
                    + "asyncprimer.metrics.allow lists");
            return null;
        }
        String contentType = wantsOpenMetrics(request.getHeader("Accept"))
                ? Metering.OPEN_METRICS : Metering.PROMETHEUS_TEXT;
        response.setContentType(contentType);
        response.setHeader("Cache-Control", "no-store");
        return contentType;
    }

    /** As Prometheus' own client decides: OpenMetrics whenever the scraper lists it at all. */
    static boolean wantsOpenMetrics(String accept) {
        return accept != null && accept.contains("application/openmetrics-text");
    }

    static void refuse(HttpServletResponse response, int status, String why) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().println(why);
    }
}
