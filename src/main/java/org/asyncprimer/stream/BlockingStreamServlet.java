package org.asyncprimer.stream;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.asyncprimer.app.GetOnlyServlet;
import org.asyncprimer.app.NoBuffering;
import org.asyncprimer.app.QueryParams;

/**
 * The anti-pattern the seed warns about, kept only to measure it against /stream: the request thread sleeps
 * between chunks, so a pool of 20 threads holds 20 streams and every further client waits. (On virtual threads,
 * Tomcat's {@code useVirtualThreads="true"} on JDK 21+, the sleep is cheap again: Java's answer to greenlets.)
 * Do not copy it.
 *
 * <pre>curl -N http://localhost:8080/stream/blocking</pre>
 */
@WebServlet("/stream/blocking")
public final class BlockingStreamServlet extends GetOnlyServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<StreamTimings> timings = QueryParams.reader(StreamTimings::from).readOr400(request, response);
        if (timings.isEmpty()) {
            return;
        }
        response.setContentType(StreamFormat.PLAIN.contentType());
        NoBuffering.apply(response);
        ServletOutputStream out = response.getOutputStream();
        try {
            for (int i = 0; i < StreamFormat.PLAIN.size(); i++) {
                Thread.sleep(timings.get().before(i).toMillis()); // the thread is held here: the point of this servlet
                out.write(StreamFormat.PLAIN.chunk(i));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the container is stopping: end the response here
        }
    }

    /**
     * HEAD answers at once with GET's headers, or GET's 400 for a bad query. (HttpServlet's default runs doGet
     * without a body: it would hold the thread for the whole planned duration to send nothing.)
     */
    @Override
    protected void doHead(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (QueryParams.reader(StreamTimings::from).readOr400(request, response).isPresent()) {
            response.setContentType(StreamFormat.PLAIN.contentType());
            NoBuffering.apply(response);
        }
    }
}
