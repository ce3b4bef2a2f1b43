package org.asyncprimer.stream;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

    /**
     * Opened by {@link #destroy()}: the held threads wake and end their responses. Tomcat calls destroy() after
     * waiting (unloadDelay, 2 s) for requests still in the servlet, and stops its connectors only after that, so a
     * held client still gets the chunked body's end; nothing interrupts a plain sleep before its connection closes.
     */
    private final transient CountDownLatch stopping = new CountDownLatch(1);

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
                // The thread is held here: the point of this servlet.
                if (stopping.await(timings.get().before(i).toMillis(), TimeUnit.MILLISECONDS)) {
                    return; // the application is stopping: end the response here
                }
                out.write(StreamFormat.PLAIN.chunk(i));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the container is stopping: end the response here
        }
    }

    @Override
    public void destroy() {
        stopping.countDown();
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
