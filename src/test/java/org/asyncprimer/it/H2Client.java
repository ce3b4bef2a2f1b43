package org.asyncprimer.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.H2AsyncClientBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.support.AsyncRequestBuilder;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOSession;
import org.apache.hc.core5.reactor.IOSessionListener;

/**
 * Apache HttpClient 5 speaking HTTP/2 only: h2c with prior knowledge (the connection preface, no Upgrade) on
 * {@code http://} URIs. It keeps one connection per host and sends every request as a stream on it; it counts the
 * connections it opened, so a test can prove its streams shared one. (For a stream left unread or reset, see
 * {@link RawH2}: this client decides itself when to send RST_STREAM.)
 */
public final class H2Client implements AutoCloseable {

    /** A whole response and the protocol it came over, e.g. {@code HTTP/2.0}. */
    public record Response(String version, int status, Map<String, String> headers, List<Http.Line> lines) {
        public List<String> texts() {
            return lines.stream().map(Http.Line::text).toList();
        }

        public String header(String name) {
            return new Http.Response(status, headers, "").header(name);
        }
    }

    private final CloseableHttpAsyncClient client;
    private final AtomicInteger connections = new AtomicInteger();

    private H2Client() {
        client = H2AsyncClientBuilder.create().setIOSessionListener(new Connections()).build();
        client.start();
    }

    public static H2Client priorKnowledge() {
        return new H2Client();
    }

    /** How many connections this client has opened so far. */
    public int connectionsOpened() {
        return connections.get();
    }

    /** GETs the URI and waits up to 60 s for the whole body, read line by line as it arrives. */
    public Response stream(URI uri, String... headerPairs) throws Exception {
        return open(uri, headerPairs).await(Duration.ofSeconds(60));
    }

    /** Sends a GET as a new stream and returns at once. */
    public Exchange open(URI uri, String... headerPairs) {
        return send(AsyncRequestBuilder.get(uri), headerPairs);
    }

    /** POSTs {@code body} (UTF-8, as {@code mimeType}) as a new stream on the same connection; waits up to 30 s. */
    public Response post(URI uri, String mimeType, String body) throws Exception {
        return send(AsyncRequestBuilder.post(uri).setEntity(body, ContentType.create(mimeType, StandardCharsets.UTF_8)))
                .await(Duration.ofSeconds(30));
    }

    private Exchange send(AsyncRequestBuilder request, String... headerPairs) {
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.addHeader(headerPairs[i], headerPairs[i + 1]);
        }
        Exchange exchange = new Exchange();
        client.execute(request.build(), exchange, null, null);
        return exchange;
    }

    @Override
    public void close() {
        client.close(CloseMode.IMMEDIATE);
    }

    /** One request/response stream: its lines with arrival times. */
    public static final class Exchange implements AsyncResponseConsumer<Response> {

        private final long sent = System.nanoTime();
        private final List<Http.Line> lines = new ArrayList<>();
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private final CompletableFuture<Response> done = new CompletableFuture<>();
        private volatile HttpResponse head;
        private volatile String version;
        private volatile FutureCallback<Response> callback;

        private Exchange() {
        }

        /** Waits for the end of the body. */
        public Response await(Duration deadline) throws Exception {
            return done.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        }

        /**
         * The lines so far, once at least {@code count} have arrived or the stream ended (then possibly fewer), for
         * a body that does not end by itself, such as Server-Sent Events; a TimeoutException names what came.
         */
        public List<String> texts(int count, Duration deadline) throws InterruptedException, TimeoutException {
            long end = System.nanoTime() + deadline.toNanos();
            synchronized (lines) {
                while (lines.size() < count && !done.isDone()) {
                    long left = end - System.nanoTime();
                    if (left <= 0) {
                        throw new TimeoutException(count + " lines expected within " + deadline + ", "
                                + lines.size() + " came: " + lines);
                    }
                    TimeUnit.NANOSECONDS.timedWait(lines, left);
                }
                return lines.stream().map(Http.Line::text).toList();
            }
        }

        @Override
        public void consumeResponse(HttpResponse response, EntityDetails entity, HttpContext context,
                                    FutureCallback<Response> callback) {
            head = response;
            version = String.valueOf(response.getVersion() != null ? response.getVersion()
                    : context.getProtocolVersion());
            this.callback = callback;
            if (entity == null) {
                finish();
            }
        }

        @Override
        public void informationResponse(HttpResponse response, HttpContext context) {
        }

        /** HTTP/2 flow control: this client reads everything, so it gives the stream all the window it can. */
        @Override
        public void updateCapacity(CapacityChannel capacity) throws IOException {
            capacity.update(Integer.MAX_VALUE);
        }

        @Override
        public void consume(ByteBuffer src) {
            long at = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            while (src.hasRemaining()) {
                byte b = src.get();
                if (b == '\n') {
                    addLine(at);
                } else {
                    pending.write(b);
                }
            }
        }

        @Override
        public void streamEnd(List<? extends Header> trailers) {
            if (pending.size() > 0) {
                addLine(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
            }
            finish();
        }

        private void addLine(long at) {
            String text = pending.toString(StandardCharsets.UTF_8);
            pending.reset();
            synchronized (lines) {
                lines.add(new Http.Line(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text, at));
                lines.notifyAll();
            }
        }

        private void finish() {
            Map<String, String> headers = new LinkedHashMap<>();
            for (Header header : head.getHeaders()) {
                headers.merge(header.getName(), header.getValue(), (a, b) -> a + ", " + b);
            }
            Response response;
            synchronized (lines) {
                response = new Response(version, head.getCode(), headers, List.copyOf(lines));
            }
            done.complete(response);
            wakeWaiters();
            callback.completed(response);
        }

        @Override
        public void failed(Exception cause) {
            done.completeExceptionally(cause);
            wakeWaiters();
        }

        private void wakeWaiters() {
            synchronized (lines) {
                lines.notifyAll();
            }
        }

        @Override
        public void releaseResources() {
        }
    }

    /** Counts connections as the client opens them. */
    private final class Connections implements IOSessionListener {
        @Override
        public void connected(IOSession session) {
            connections.incrementAndGet();
        }

        @Override
        public void startTls(IOSession session) {
        }

        @Override
        public void inputReady(IOSession session) {
        }

        @Override
        public void outputReady(IOSession session) {
        }

        @Override
        public void timeout(IOSession session) {
        }

        @Override
        public void exception(IOSession session, Exception cause) {
        }

        @Override
        public void disconnected(IOSession session) {
        }
    }
}
