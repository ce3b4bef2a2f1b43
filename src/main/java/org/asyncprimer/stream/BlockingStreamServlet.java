package org.asyncprimer.stream;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.asyncprimer.app.NoBuffering;
import org.asyncprimer.app.QueryParams.BadParameter;

/**
 * The anti-pattern the seed warns about, kept only to measure it against /stream: the request thread sleeps
 * between chunks, so a pool of 20 threads holds 20 streams and every further client waits. (On virtual threads,
 * Tomcat's {@code useVirtualThreads="true"} on JDK 21+, the sleep is cheap again: Java's answer to greenlets.)
 * Do not copy it.
 *
 * <pre>curl -N http://localhost:8080/stream/blocking</pre>
 */
@WebServlet("/stream/blocking")
public final class BlockingStreamServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        StreamTimings timings;
        try {
            timings = StreamTimings.from(request);
        } catch (BadParameter e) {
            e.send(response);
            return;
        }
        response.setContentType(StreamFormat.PLAIN.contentType());
        NoBuffering.apply(response);
        ServletOutputStream out = response.getOutputStream();
        try {
            for (int i = 0; i < StreamFormat.PLAIN.size(); i++) {
                Thread.sleep(timings.before(i).toMillis()); // the thread is held here: the point of this servlet
                out.write(StreamFormat.PLAIN.chunk(i));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the container is stopping: end the response here
        }
    }
}
