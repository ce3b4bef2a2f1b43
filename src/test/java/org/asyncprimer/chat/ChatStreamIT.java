package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.it.Deployed;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.Http;
import org.asyncprimer.it.OnEveryContainer;
import org.asyncprimer.it.RawClient;
import org.asyncprimer.it.ServerOptions;
import org.junit.jupiter.api.Test;

/** GET /chat/{room} as Server-Sent Events: backlog, live, resume, heartbeat, gap, and a client that lags. */
@OnEveryContainer
class ChatStreamIT extends Deployed {

    private static final int HISTORY = 5;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Override
    protected ServerOptions options() {
        return ServerOptions.defaults().withContextParams(Map.of(
                "asyncprimer.chat.history", Integer.toString(HISTORY),
                "asyncprimer.chat.heartbeatMs", "200"));
    }

    @Test
    void sendsTheHeadersAtOnceSoThatAnEventSourceOpens() throws Exception {
        // open() waits at most 5 s for the headers; a stream that held them back until a message would fail here.
        try (EventStream stream = EventStream.open(app.uri("/chat/empty"))) {
            assertEquals(200, stream.status());
            assertAll(
                    () -> assertEquals("text/event-stream;charset=utf-8",
                            stream.header("Content-Type").replace(" ", "").toLowerCase(Locale.ROOT)),
                    () -> assertEquals("no-cache", stream.header("Cache-Control")),
                    () -> assertEquals("no", stream.header("X-Accel-Buffering")));
            assertNull(stream.poll(Duration.ofMillis(300)), "no message in an empty room");
        }
    }

    @Test
    void streamsTheRetainedMessagesThenEachNewOneAsAnEvent() throws Exception {
        List<String> ids = ChatHttp.publishMany(app, "live", 2);
        try (EventStream stream = EventStream.open(app.uri("/chat/live?since=0-0"))) {
            assertEquals(ids, stream.ids(2, WAIT));

            String id = ChatHttp.publish(app, "live", "bob", "live one");

            EventStream.Event event = stream.next(WAIT);
            assertEquals(new EventStream.Event(id, "message", event.data()), event);
            JsonNode data = ChatHttp.JSON.readTree(event.data());
            assertEquals(id, data.get("id").asText());
            assertEquals("live", data.get("room").asText());
            assertEquals("bob", data.get("name").asText());
            assertEquals("live one", data.get("text").asText());
        }
    }

    @Test
    void withoutSinceStreamsOnlyWhatIsPublishedAfterIt() throws Exception {
        ChatHttp.publish(app, "fresh", "alice", "before");
        try (EventStream stream = EventStream.open(app.uri("/chat/fresh"))) {
            assertTrue(app.awaitStatus("openChatStreams", n -> n >= 1, WAIT) >= 1);
            String id = ChatHttp.publish(app, "fresh", "alice", "after");
            assertEquals(List.of(id), stream.ids(1, WAIT));
        }
    }

    @Test
    void resumesAfterLastEventIdWhichTakesPrecedenceOverSince() throws Exception {
        List<String> ids = ChatHttp.publishMany(app, "resume", 3);

        // What an EventSource does when it reconnects: the same URL, and the last id it got as Last-Event-ID.
        try (EventStream stream = EventStream.open(app.uri("/chat/resume?since=0-0"), "Last-Event-ID", ids.get(0))) {
            assertEquals(ids.subList(1, 3), stream.ids(2, WAIT));
            assertNull(stream.poll(Duration.ofMillis(300)), "nothing twice, nothing more");
        }
    }

    @Test
    void anEmptyLastEventIdIsAbsentAndSinceApplies() throws Exception {
        List<String> ids = ChatHttp.publishMany(app, "blank", 2);

        // An EventSource sends none before it has an id, but a client or proxy may send the header empty.
        for (String blank : List.of("", "   ")) {
            try (EventStream stream = EventStream.open(app.uri("/chat/blank?since=" + ids.get(0)), "Last-Event-ID",
                    blank)) {
                assertEquals(200, stream.status(), "Last-Event-ID '" + blank + "'");
                assertEquals(ids.subList(1, 2), stream.ids(1, WAIT));
            }
        }
    }

    @Test
    void sendsAPingCommentEveryHeartbeat() throws Exception {
        try (EventStream stream = EventStream.open(app.uri("/chat/ping"))) {
            long end = System.nanoTime() + WAIT.toNanos();
            while (stream.comments() < 3 && System.nanoTime() < end) {
                Thread.sleep(20); // polling interval; the loop checks the outcome
            }
            assertTrue(stream.comments() >= 3, "pings every 200 ms: " + stream.comments());
        }
    }

    @Test
    void sendsNoPingsWhileEventsComeMoreOftenThanTheHeartbeat() throws Exception {
        try (EventStream stream = EventStream.open(app.uri("/chat/busy"))) {
            ChatHttp.publish(app, "busy", "alice", "subscribed?");
            stream.next(WAIT); // the stream is live: every publish below reaches it
            int before = stream.comments();
            long start = System.nanoTime();
            for (int i = 0; i < 40; i++) {
                ChatHttp.publish(app, "busy", "alice", "busy " + i);
                Thread.sleep(40); // the pace of the publishes (an event every ~50 ms, the heartbeat is 200 ms)
            }
            assertEquals(40, stream.ids(40, WAIT).size());
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // One ping every heartbeat would be elapsedMs / 200 of them (about 9); allow one or two for a publish
            // that a slow machine held up past half a heartbeat.
            assertTrue(stream.comments() - before <= 2,
                    (stream.comments() - before) + " pings in " + elapsedMs + " ms of events every ~50 ms");
        }
    }

    @Test
    void marksTheGapWithAGapEventThatLeavesTheLastEventIdAlone() throws Exception {
        List<String> ids = ChatHttp.publishMany(app, "gap", HISTORY + 3);

        try (EventStream stream = EventStream.open(app.uri("/chat/gap"), "Last-Event-ID", ids.get(0))) {
            EventStream.Event gap = stream.next(WAIT);
            assertEquals(new EventStream.Event(null, "gap", "{\"gap\":true,\"oldest\":\"" + ids.get(3) + "\"}"), gap);
            assertEquals(ids.subList(3, ids.size()), stream.ids(HISTORY, WAIT));
        }
    }

    @Test
    void aClientThatVanishesLeavesNoStreamSubscriptionOrTimer() throws Exception {
        // Streams of the tests before, closed by their clients, end at their next ping or two.
        assertEquals(0, app.awaitStatus("openChatStreams", n -> n == 0, WAIT));
        int idle = app.status("schedulerTasks");
        RawClient client = RawClient.get(app.base(), "/chat/vanish", 0, "Accept: text/event-stream");
        client.readUntil("retry:");
        assertEquals(1, app.status("openChatStreams"));

        client.abort();

        // The next ping (200 ms) finds the connection reset.
        assertEquals(0, app.awaitStatus("openChatStreams", n -> n == 0, WAIT));
        assertEquals(0, app.awaitStatus("chatSubscribers", n -> n == 0, WAIT));
        int tasks = app.awaitStatus("schedulerTasks", n -> n <= idle, WAIT);
        assertTrue(tasks <= idle, "the heartbeat and stall timers are gone: " + tasks + " tasks, " + idle + " before");
    }

    @Test
    void aClientThatFallsBehindIsEndedAndResumesFromItsLastIdWithNothingLost() throws Exception {
        // An outbox of 4 events or 16 KiB, and history enough for everything published here.
        try (Deployment small = Deployment.start(container, ServerOptions.defaults().withContextParams(Map.of(
                ChatServlet.QUEUE_ITEMS, "4", ChatServlet.QUEUE_BYTES, "16384",
                "asyncprimer.chat.history", "5000")));
             RawClient client = RawClient.get(small.base(), "/chat/lag?since=0-0", 4096,
                     "Accept: text/event-stream")) {
            String received = client.readUntil("retry: 1000");
            String text = "😀".repeat(2000); // about 8 KB of JSON per event
            List<String> published = new ArrayList<>();
            long bytesQueued = 0;
            long start = System.nanoTime();
            // The client reads nothing more: kernel buffers fill first (megabytes), then the outbox, then it is ended.
            while (small.status("openChatStreams") == 1 && published.size() < 3000) {
                published.add(ChatHttp.publishJson(small, "lag", "alice", text));
                bytesQueued = Math.max(bytesQueued, small.status("queuedChatStreamBytes"));
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(0, small.status("openChatStreams"), "ended after " + published.size() + " messages");
            assertTrue(tookMs < 50_000, "ended by the overflow, not by the 60 s stall timeout: " + tookMs + " ms");
            assertTrue(bytesQueued <= 16_384, "the outbox never held more than its bound: " + bytesQueued);
            assertEquals(0, small.awaitStatus("chatSubscribers", n -> n == 0, WAIT));

            received += client.readToEnd(); // what the server had sent before it ended the stream
            List<String> got = messageIds(received);
            assertTrue(got.size() < published.size(), "it fell behind: " + got.size() + " of " + published.size());
            assertEquals(published.subList(0, got.size()), got, "a prefix, in order, nothing twice");

            try (EventStream resumed = EventStream.open(small.uri("/chat/lag"), "Last-Event-ID",
                    got.isEmpty() ? "0-0" : got.get(got.size() - 1))) {
                assertEquals(published.subList(got.size(), published.size()),
                        resumed.ids(published.size() - got.size(), Duration.ofSeconds(30)), "the rest, once each");
                assertNull(resumed.poll(Duration.ofMillis(300)), "nothing more");
            }
        }
    }

    @Test
    void aBacklogLargerThanTheOutboxPausesDeliveryInsteadOfEndingTheStream() throws Exception {
        try (Deployment small = Deployment.start(container, ServerOptions.defaults().withContextParams(Map.of(
                ChatServlet.QUEUE_ITEMS, "4", ChatServlet.QUEUE_BYTES, "16384",
                "asyncprimer.chat.history", "5000")))) {
            List<String> ids = ChatHttp.publishMany(small, "backlog", 60);

            try (EventStream stream = EventStream.open(small.uri("/chat/backlog?since=0-0"))) {
                assertEquals(ids, stream.ids(60, WAIT), "sixty events through an outbox of four");
                String next = ChatHttp.publish(small, "backlog", "alice", "live");
                assertEquals(List.of(next), stream.ids(1, WAIT), "and still open");
                assertEquals(1, small.status("openChatStreams"));
            }
        }
    }

    @Test
    void endsItselfCleanlyAfterItsLifetimeAndAReconnectWithLastEventIdLosesNothing() throws Exception {
        // A lifetime of 1 s; the container's async timeout, its backstop, would come 30 s later (the margin).
        try (Deployment brief = Deployment.start(container, ServerOptions.defaults().withContextParams(Map.of(
                ChatServlet.STREAM_LIFETIME_MS, "1000", "asyncprimer.chat.history", "5000")))) {
            List<String> published = new ArrayList<>(ChatHttp.publishMany(brief, "lifetime", 3));
            List<String> got = new ArrayList<>();
            long start = System.nanoTime();
            try (EventStream stream = EventStream.open(brief.uri("/chat/lifetime?since=0-0"))) {
                got.addAll(stream.ids(3, WAIT));
                // Publish on while it lives, so that messages may be on their way (in its outbox) as it ends.
                while (!stream.awaitEnd(Duration.ofMillis(10)) && published.size() < 3000
                        && System.nanoTime() - start < WAIT.toNanos()) {
                    published.add(ChatHttp.publish(brief, "lifetime", "alice", "during"));
                }
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(stream.awaitEnd(Duration.ZERO), "still open after " + tookMs + " ms");
                // Up to a tenth early (the spread), counted from the request: never before 900 ms.
                assertTrue(tookMs >= 900 && tookMs < WAIT.toMillis(), "ended by its 1 s lifetime: " + tookMs + " ms");
                assertEquals("the end of the body", stream.endedBy(), "a clean end, not a cut connection");
                for (EventStream.Event event = stream.poll(Duration.ZERO); event != null;
                        event = stream.poll(Duration.ZERO)) {
                    got.add(event.id());
                }
            }
            assertAll(
                    () -> assertEquals(1, ended(brief, "completed"), "counted as completed"),
                    () -> assertEquals(0, ended(brief, "timeout"), "not ended by the async timeout"));
            assertEquals(published.subList(0, got.size()), got, "a prefix, in order, nothing twice");
            published.add(ChatHttp.publish(brief, "lifetime", "alice", "after"));

            // What an EventSource does next: the same URL, and the last id it got as Last-Event-ID.
            try (EventStream resumed = EventStream.open(brief.uri("/chat/lifetime?since=0-0"), "Last-Event-ID",
                    got.get(got.size() - 1))) {
                assertEquals(published.subList(got.size(), published.size()),
                        resumed.ids(published.size() - got.size(), WAIT), "the rest, once each");
                assertNull(resumed.poll(Duration.ofMillis(300)), "nothing more");
            }
        }
    }

    /** How many event streams {@code /metrics} counts as ended with this outcome. */
    private static double ended(Deployment app, String outcome) throws Exception {
        String series = "asyncprimer_responses_ended_total{kind=\"chat-sse\",outcome=\"" + outcome + "\"} ";
        return Http.get(app.uri("/metrics")).body().lines().filter(line -> line.startsWith(series))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length()))).findFirst()
                .orElseThrow(() -> new AssertionError("/metrics has no series " + series));
    }

    /** The ids of the complete message events in a raw HTTP response (chunked or not). */
    private static List<String> messageIds(String raw) throws Exception {
        int headersEnd = raw.indexOf("\r\n\r\n");
        String head = raw.substring(0, headersEnd).toLowerCase(Locale.ROOT);
        String body = raw.substring(headersEnd + 4);
        if (head.contains("transfer-encoding: chunked")) {
            body = dechunk(body);
        }
        String text = new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        return EventStream.parse(text).stream().filter(e -> e.event().equals("message"))
                .map(EventStream.Event::id).toList();
    }

    /** A chunked body's content, up to where it was cut off if it was. */
    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int eol = chunked.indexOf("\r\n", at);
            if (eol < 0) {
                return body.toString();
            }
            int size = Integer.parseInt(chunked.substring(at, eol).split(";")[0].trim(), 16);
            int start = eol + 2;
            if (size == 0 || start + size > chunked.length()) {
                return body.append(chunked, start, Math.min(start + size, chunked.length())).toString();
            }
            body.append(chunked, start, start + size);
            at = start + size + 2;
        }
    }
}
