package org.asyncprimer.http2;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.app.AppSettings;
import org.asyncprimer.it.Deployed;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.H2Client;
import org.asyncprimer.it.OnEveryContainer;
import org.asyncprimer.it.RawH2;
import org.asyncprimer.it.ServerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The chat's long-poll and Server-Sent Events over HTTP/2 in the clear (h2c, prior knowledge), published over h2c
 * too, with the same non-blocking code as over HTTP/1.1: one connection carries the publishes, the polls and many
 * event streams of a room; a stream whose reader stalls holds up none of the others, and a stream the client resets
 * (RST_STREAM) is cleaned up like a disconnect.
 */
@OnEveryContainer
class ChatH2IT extends Deployed {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** An event stream's first bytes: the retry hint and a blank line (see ChatStream). */
    private static final List<String> PREAMBLE = List.of("retry: 1000", "");
    private static final String EVENTS = "text/event-stream";

    private H2Client h2;

    @Override
    protected ServerOptions options() {
        // No ping within a test: a stream that ends here was ended by its reset or its connection's close, not
        // found gone by a heartbeat's write.
        return ServerOptions.defaults().withContextParams(Map.of("asyncprimer.chat.heartbeatMs", "600000"));
    }

    @BeforeEach
    void connect() {
        h2 = H2Client.priorKnowledge();
    }

    @AfterEach
    void disconnect() {
        h2.close();
    }

    @Test
    void aWaitingLongPollGetsTheMessagePublishedOnTheSameConnection() throws Exception {
        publish("next", "before the poll");
        H2Client.Exchange poll = h2.open(app.uri("/chat/next"));
        assertEquals(1, app.awaitStatus("openChatPolls", n -> n == 1, WAIT), "the poll waits");

        String id = publish("next", "after");
        H2Client.Response reply = poll.await(WAIT);

        assertEquals("HTTP/2.0", reply.version());
        assertEquals(200, reply.status());
        List<JsonNode> lines = json(reply.texts());
        assertEquals(1, lines.size(), reply.texts().toString());
        assertEquals(id, lines.get(0).get("id").asText());
        assertEquals("after", lines.get(0).get("text").asText());
        assertEquals(1, h2.connectionsOpened(), "the poll and both publishes shared one connection");
        assertEquals(0, app.awaitStatus("openChatPolls", n -> n == 0, WAIT));
    }

    @Test
    void aLongPollSinceTheStartGetsTheHistoryAtOnce() throws Exception {
        List<String> ids = List.of(publish("history", "1"), publish("history", "2"), publish("history", "3"));

        long sent = System.nanoTime();
        H2Client.Response reply = h2.stream(app.uri("/chat/history?since=0-0"));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

        assertTrue(tookMs < 15_000, "at once, not after the 25 s timeout: " + tookMs + " ms");
        assertEquals("HTTP/2.0", reply.version());
        assertEquals(200, reply.status());
        assertEquals("application/x-ndjson;charset=utf-8",
                reply.header("Content-Type").replace(" ", "").toLowerCase(Locale.ROOT));
        assertEquals(ids, json(reply.texts()).stream().map(line -> line.get("id").asText()).toList());
    }

    @Test
    void aLongPollAnswersNoContentAfterItsTimeout() throws Exception {
        long sent = System.nanoTime();
        H2Client.Response reply = h2.stream(app.uri("/chat/quiet?timeout=300"));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

        assertEquals("HTTP/2.0", reply.version());
        assertEquals(204, reply.status());
        assertEquals(List.of(), reply.texts());
        assertTrue(tookMs >= 250 && tookMs < 15_000, "204 after its 300 ms timeout, not the default 25 s, took " + tookMs + " ms");
        assertEquals(0, app.awaitStatus("openChatPolls", n -> n == 0, WAIT));
    }

    @Test
    void everyEventStreamOfARoomOnOneConnectionGetsEachMessageInOrder() throws Exception {
        List<H2Client.Exchange> streams = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            streams.add(h2.open(app.uri("/chat/multi"), "Accept", EVENTS));
        }
        for (H2Client.Exchange stream : streams) {
            assertEquals(PREAMBLE, stream.texts(2, WAIT), "subscribed once its first bytes are out");
        }

        List<String> ids = List.of(publish("multi", "one"), publish("multi", "two"), publish("multi", "three"));

        for (H2Client.Exchange stream : streams) {
            List<String> lines = stream.texts(2 + 3 * 4, WAIT);
            assertEvent(lines, 0, ids.get(0), "one");
            assertEvent(lines, 1, ids.get(1), "two");
            assertEvent(lines, 2, ids.get(2), "three");
        }
        assertEquals(1, h2.connectionsOpened(), "five streams and three publishes on one connection");
    }

    @Test
    void anEventStreamResumesAfterLastEventId() throws Exception {
        List<String> ids = List.of(publish("resume", "1"), publish("resume", "2"), publish("resume", "3"));

        // What an EventSource does when it reconnects: the same URL, and the last id it got as Last-Event-ID.
        H2Client.Exchange stream = h2.open(app.uri("/chat/resume?since=0-0"),
                "Accept", EVENTS, "Last-Event-ID", ids.get(0));

        List<String> lines = stream.texts(2 + 2 * 4, WAIT);
        assertEvent(lines, 0, ids.get(1), "2");
        assertEvent(lines, 1, ids.get(2), "3");
        String next = publish("resume", "4");
        assertEvent(stream.texts(2 + 3 * 4, WAIT), 2, next, "4"); // and it goes on live
    }

    @Test
    void aStalledEventStreamDoesNotHoldUpTheOtherStreamsOnItsConnection() throws Exception {
        // A deployment of its own: Jetty 12 does not always end the event streams of the tests before when their
        // connections close (a ping would, later), and this test counts the open streams.
        try (Deployment own = Deployment.start(container, options());
             RawH2 connection = RawH2.connect(own.base())) {
            // Two streams of one room on one connection: the client reads one and never the other, whose HTTP/2
            // window (64 KiB) fills with the first eight events or so, then the rest wait in its outbox.
            int stalled = connection.get("/chat/stall", "Accept", EVENTS);
            int reading = connection.get("/chat/stall", "Accept", EVENTS);
            connection.readUntil(reading, "retry: 1000\n\n");
            assertEquals(2, own.awaitStatus("openChatStreams", n -> n == 2, WAIT));

            String text = "😀".repeat(2000); // about 8 KB of JSON per event
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ids.add(publish(own, "stall", text));
            }
            String body = connection.readUntil(reading, "id: " + ids.get(ids.size() - 1) + "\n");

            assertEquals(ids, body.lines().filter(l -> l.startsWith("id: ")).map(l -> l.substring(4)).toList(),
                    "every event, in order, beside the stalled stream");
            assertTrue(connection.dataBytes(stalled) <= 65535,
                    "the stalled stream got no more than its first window: " + connection.dataBytes(stalled));
            assertTrue(connection.dataBytes(reading) > 65535, "the reading stream went on past its first window: "
                    + connection.dataBytes(reading));
            assertAll(
                    () -> assertEquals(2, own.status("openChatStreams"), "the stalled stream is still open"),
                    () -> assertTrue(own.status("queuedChatStreamBytes") > 0,
                            "what it could not take waits in its outbox"));

            connection.reset(stalled);
            assertEquals(1, own.awaitStatus("openChatStreams", n -> n == 1, WAIT));
            assertEquals(0, own.status("queuedChatStreamBytes"));
        }
    }

    @Test
    void aResetEventStreamIsCleanedUpLikeADisconnect() throws Exception {
        try (Deployment own = Deployment.start(container, options()); // counts open streams: see above
             RawH2 connection = RawH2.connect(own.base())) {
            int stream = connection.get("/chat/reset", "Accept", EVENTS);
            connection.readUntil(stream, "retry: 1000\n\n");
            assertEquals(1, own.status("openChatStreams"));
            assertEquals(1, own.status("chatSubscribers"));

            connection.reset(stream);

            // The next ping is minutes away: only the container's news of the reset can end it this soon.
            assertEquals(0, own.awaitStatus("openChatStreams", n -> n == 0, WAIT));
            assertEquals(0, own.awaitStatus("chatSubscribers", n -> n == 0, WAIT), "its subscription is gone");
            int next = connection.get("/chat/reset", "Accept", EVENTS);
            connection.readUntil(next, "retry: 1000\n\n");
            String id = publish(own, "reset", "still here");
            connection.readUntil(next, "id: " + id); // the connection still serves new streams
        }
    }

    @Test
    void aPublishWhoseBodyOutrunsItsContentLengthIsCleanedUp() throws Exception {
        // Tomcat resets such a stream itself (PROTOCOL_ERROR) and then tells the application nothing: no read error,
        // no async timeout. The publish's own deadline, the timeout margin, must end it.
        try (Deployment own = Deployment.start(container, ServerOptions.defaults().withContextParams(
                Map.of(AppSettings.TIMEOUT_MARGIN_MS, "1000")));
             RawH2 connection = RawH2.connect(own.base())) {
            byte[] body = "{\"name\":\"a\",\"text\":\"b\"}".getBytes(StandardCharsets.UTF_8);
            int stream = connection.post("/chat/overrun", "Content-Type", "application/json", "Content-Length", "5");
            connection.data(stream, Arrays.copyOf(body, 3), false);
            assertEquals(1, own.awaitStatus("openChatPublishes", n -> n == 1, WAIT), "the body is on its way");

            connection.data(stream, Arrays.copyOfRange(body, 3, body.length), true); // 23 bytes of the 5 announced

            assertEquals(0, own.awaitStatus("openChatPublishes", n -> n == 0, WAIT), "the publish is gone");
            assertEquals(1, own.status("schedulerTasks"), "its deadline with it");
        }
    }

    /**
     * Asserts that {@code lines} (an event stream's, from its preamble on) hold as their {@code n}th event (from 0)
     * the message {@code id} with {@code text}, line by line as an EventSource reads it.
     */
    private static void assertEvent(List<String> lines, int n, String id, String text) throws Exception {
        assertEquals(PREAMBLE, lines.subList(0, 2), lines.toString());
        int at = 2 + 4 * n;
        assertTrue(lines.size() >= at + 4, "event " + n + " is in " + lines);
        List<String> event = lines.subList(at, at + 4);
        assertEquals(List.of("id: " + id, "event: message"), event.subList(0, 2), lines.toString());
        assertTrue(event.get(2).startsWith("data: "), event.toString());
        JsonNode data = JSON.readTree(event.get(2).substring("data: ".length()));
        assertEquals(id, data.get("id").asText());
        assertEquals(text, data.get("text").asText());
        assertEquals("", event.get(3), "a blank line ends the event");
    }

    private String publish(String room, String text) throws Exception {
        return publish(app, room, text);
    }

    /** Publishes as JSON over h2c; returns the new message's id. */
    private String publish(Deployment to, String room, String text) throws Exception {
        H2Client.Response reply = h2.post(to.uri("/chat/" + room), "application/json",
                JSON.createObjectNode().put("name", "alice").put("text", text).toString());
        assertEquals("HTTP/2.0", reply.version());
        assertEquals(201, reply.status(), reply.texts().toString());
        return JSON.readTree(String.join("\n", reply.texts())).get("id").asText();
    }

    /** NDJSON: each line a JSON document. */
    private static List<JsonNode> json(List<String> lines) throws Exception {
        List<JsonNode> documents = new ArrayList<>();
        for (String line : lines) {
            if (!line.isBlank()) {
                documents.add(JSON.readTree(line));
            }
        }
        return documents;
    }
}
