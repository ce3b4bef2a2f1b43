package org.asyncprimer.chat;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A Server-Sent Events client for the tests, as an {@code EventSource} reads a stream: events as they arrive (on
 * a reader thread of its own), comments counted, the end noticed. It never reconnects by itself: tests do that.
 *
 * <p>A socket of its own per stream, no pooled HTTP client in between: {@link #close()} is exactly a page that goes
 * away, and a failure names what the server did to this connection and no other.
 */
final class EventStream implements AutoCloseable {

    /** One event: its {@code id:} (null if none), {@code event:} name and {@code data:}. */
    record Event(String id, String event, String data) {
    }

    private final Socket socket;
    private final InputStream in;
    private final int status;
    private final Map<String, String> headers;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final AtomicInteger comments = new AtomicInteger();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final AtomicInteger seen = new AtomicInteger();
    private volatile String endedBy = "the end of the body";

    private EventStream(Socket socket, InputStream in, int status, Map<String, String> headers) {
        this.socket = socket;
        this.in = in;
        this.status = status;
        this.headers = headers;
    }

    /** Opens the stream; returns once the response's headers are in (within 5 s, or it fails). */
    static EventStream open(URI uri, String... headers) throws Exception {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
        socket.setSoTimeout(5000);
        StringBuilder request = new StringBuilder("GET " + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()) + " HTTP/1.1\r\nHost: "
                + uri.getHost() + ":" + uri.getPort() + "\r\nAccept: text/event-stream\r\nConnection: close\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        InputStream raw = new BufferedInputStream(socket.getInputStream());
        String statusLine = line(raw);
        Map<String, String> head = new HashMap<>();
        for (String line = line(raw); !line.isEmpty(); line = line(raw)) {
            int colon = line.indexOf(':');
            head.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        socket.setSoTimeout(0); // a stream may be quiet for long: the tests bound their waits themselves
        boolean chunked = "chunked".equalsIgnoreCase(head.get("transfer-encoding"));
        EventStream stream = new EventStream(socket, chunked ? new Dechunked(raw) : raw,
                Integer.parseInt(statusLine.split(" ")[1]), head);
        Thread reader = new Thread(stream::read, "sse-test-reader");
        reader.setDaemon(true);
        reader.start();
        return stream;
    }

    int status() {
        return status;
    }

    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The next event within {@code wait}, or an AssertionError. */
    Event next(Duration wait) throws InterruptedException {
        Event event = events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
            throw new AssertionError("no event within " + wait + " (" + seen + " before)"
                    + (ended.getCount() == 0 ? "; the stream ended with " + endedBy : ""));
        }
        return event;
    }

    /** The next event if one comes within {@code wait}, else null. */
    Event poll(Duration wait) throws InterruptedException {
        return events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next {@code count} message events' ids. */
    List<String> ids(int count, Duration wait) throws InterruptedException {
        List<String> ids = new ArrayList<>();
        while (ids.size() < count) {
            Event event = next(wait);
            if ("message".equals(event.event())) {
                ids.add(event.id());
            }
        }
        return ids;
    }

    int comments() {
        return comments.get();
    }

    boolean awaitEnd(Duration wait) throws InterruptedException {
        return ended.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What ended the stream: {@code "the end of the body"} when the server ended it cleanly, else the exception. */
    String endedBy() {
        return endedBy;
    }

    /** Hangs up (the connection closes), as a page that closes its EventSource does. */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void read() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            parse(reader, this::arrived, comments::incrementAndGet);
        } catch (IOException closed) {
            endedBy = closed.toString(); // closed by the test, or the server cut the connection: both are an end
        } finally {
            ended.countDown();
        }
    }

    private void arrived(Event event) {
        seen.incrementAndGet();
        events.add(event);
    }

    /** The complete events in a body (an event is complete at its blank line). */
    static List<Event> parse(String body) throws IOException {
        List<Event> events = new ArrayList<>();
        parse(new BufferedReader(new StringReader(body)), events::add, () -> { });
        return events;
    }

    private static void parse(BufferedReader reader, Consumer<Event> onEvent, Runnable onComment)
            throws IOException {
        String id = null;
        String name = null;
        StringBuilder data = null;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.isEmpty()) {
                if (data != null) {
                    onEvent.accept(new Event(id, name == null ? "message" : name, data.toString()));
                }
                id = null;
                name = null;
                data = null;
            } else if (line.startsWith(":")) {
                onComment.run();
            } else if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("event: ")) {
                name = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed in the response head: " + line);
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** A chunked body's content as a stream; it ends at the last chunk. */
    private static final class Dechunked extends InputStream {
        private final InputStream in;
        private int left;
        private boolean done;

        Dechunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = line(in);
                if (size.isEmpty()) {
                    size = line(in); // the CRLF that ends the chunk before
                }
                left = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (left == 0) {
                    done = true;
                    return -1;
                }
            }
            int n = in.read(buffer, offset, Math.min(length, left));
            if (n < 0) {
                throw new EOFException("connection closed inside a chunk");
            }
            left -= n;
            return n;
        }
    }
}
