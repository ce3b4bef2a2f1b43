package org.asyncprimer.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Server-Sent Events client for the tests, as an {@code EventSource} reads a stream: events as they arrive (on
 * a reader thread of its own), comments counted, the end noticed. It never reconnects by itself: tests do that.
 */
final class EventStream implements AutoCloseable {

    /** One event: its {@code id:} (null if none), {@code event:} name and {@code data:}. */
    record Event(String id, String event, String data) {
    }

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final AtomicInteger comments = new AtomicInteger();
    private final CountDownLatch ended = new CountDownLatch(1);

    private EventStream(HttpResponse<InputStream> response) {
        this.response = response;
    }

    /** Opens the stream; returns once the response's headers are in (within 5 s, or it fails). */
    static EventStream open(URI uri, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        EventStream stream = new EventStream(ChatHttp.CLIENT.sendAsync(request.build(),
                HttpResponse.BodyHandlers.ofInputStream()).get(5, TimeUnit.SECONDS));
        Thread reader = new Thread(stream::read, "sse-test-reader");
        reader.setDaemon(true);
        reader.start();
        return stream;
    }

    int status() {
        return response.statusCode();
    }

    String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** The next event within {@code wait}, or an AssertionError. */
    Event next(Duration wait) throws InterruptedException {
        Event event = events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
            throw new AssertionError("no event within " + wait + (ended.getCount() == 0 ? "; the stream ended" : ""));
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

    /** Hangs up (the connection closes), as a page that closes its EventSource does. */
    @Override
    public void close() throws IOException {
        response.body().close();
    }

    private void read() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            parse(reader, events::add, comments::incrementAndGet);
        } catch (IOException closed) {
            // closed by the test, or the server cut the connection: both are an end
        } finally {
            ended.countDown();
        }
    }

    /** The complete events in a body (an event is complete at its blank line). */
    static List<Event> parse(String body) throws IOException {
        List<Event> events = new ArrayList<>();
        parse(new BufferedReader(new java.io.StringReader(body)), events::add, () -> { });
        return events;
    }

    private static void parse(BufferedReader reader, java.util.function.Consumer<Event> onEvent, Runnable onComment)
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
}
