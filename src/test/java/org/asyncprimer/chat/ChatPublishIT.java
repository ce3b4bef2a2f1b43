package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.app.AppSettings;
import org.asyncprimer.it.Deployed;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.Http;
import org.asyncprimer.it.OnEveryContainer;
import org.asyncprimer.it.ServerOptions;
import org.asyncprimer.it.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** POST /chat/{room}: what is published, and every way a publish is refused with one line. */
@OnEveryContainer
class ChatPublishIT extends Deployed {

    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String JSON = "application/json";


    @Test
    void publishesAFormAndAnswers201WithTheId() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        ChatHttp.Reply reply = ChatHttp.post(app.uri("/chat/form"), FORM, "name=alice&text=hi%20there%20%F0%9F%98%80");

        assertEquals(201, reply.status(), reply.body());
        assertTrue(reply.header("Content-Type").startsWith("application/json"), reply.header("Content-Type"));
        String id = ChatHttp.JSON.readTree(reply.body()).get("id").asText();
        JsonNode message = ChatHttp.poll(app, "form", "since=0-0").lines().get(0);
        assertEquals(id, message.get("id").asText());
        assertEquals("form", message.get("room").asText());
        assertEquals("alice", message.get("name").asText());
        assertEquals("hi there 😀", message.get("text").asText());
        Instant at = Instant.parse(message.get("at").asText());
        assertTrue(at.isAfter(before) && at.isBefore(Instant.now().plusSeconds(1)), "stamped now: " + at);
        assertTrue(message.get("at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
    }

    @Test
    void publishesJsonAndIgnoresOtherFields() throws Exception {
        ChatHttp.Reply reply = ChatHttp.post(app.uri("/chat/json"), "application/json; charset=utf-8",
                "{\"name\":\"bob\",\"text\":\"yo\",\"colour\":\"red\"}");

        assertEquals(201, reply.status(), reply.body());
        JsonNode message = ChatHttp.poll(app, "json", "since=0-0").lines().get(0);
        assertEquals(List.of("id", "room", "name", "text", "at"), fieldNames(message));
        assertEquals("yo", message.get("text").asText());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        application/json | {"text":"hi"}                   | name is missing
        application/json | {"name":"a"}                    | text is missing
        application/json | {"name":"","text":"hi"}         | name must be 1 to 64 characters, got 0
        application/json | {"name":"a","text":""}          | text must be 1 to 2000 characters, got 0
        application/json | {"name":7,"text":"hi"}          | name must be a string
        application/json | `{"name":"a","text":"hi"`       | body is not valid JSON (line 1, column 24)
        application/json | []                              | body must be a JSON object like {"name":"alice","text":"hi"}
        application/json | {"name":"a","name":"b","text":"c"} | body is not valid JSON (line 1, column 19)
        application/x-www-form-urlencoded | name=alice     | text is missing
        application/x-www-form-urlencoded | text=hi        | name is missing
        application/x-www-form-urlencoded | name=a&text=%zz | body is not valid form data (a % not followed by two hex digits)
        """)
    void refusesABadMessageWithOneLineSayingWhy(String contentType, String body, String line) throws Exception {
        ChatHttp.Reply reply = ChatHttp.post(app.uri("/chat/bad"), contentType, body);

        assertEquals(400, reply.status(), reply.body());
        assertEquals(line + "\n", reply.body().replace("\r\n", "\n"));
    }

    @Test
    void refusesOverLongFieldsCountingCharactersNotBytes() throws Exception {
        String name = "😀".repeat(64);
        assertEquals(201, ChatHttp.post(app.uri("/chat/long"), JSON,
                "{\"name\":\"" + name + "\",\"text\":\"" + "t".repeat(2000) + "\"}").status());

        ChatHttp.Reply longName = ChatHttp.post(app.uri("/chat/long"), JSON,
                "{\"name\":\"" + name + "x\",\"text\":\"t\"}");
        assertEquals(400, longName.status());
        assertEquals("name must be 1 to 64 characters, got 65", longName.body().strip());
        ChatHttp.Reply longText = ChatHttp.post(app.uri("/chat/long"), FORM, "name=a&text=" + "t".repeat(2001));
        assertEquals(400, longText.status());
        assertEquals("text must be 1 to 2000 characters, got 2001", longText.body().strip());
    }

    @Test
    void takesABodyOfExactly16KiBAndRefusesOneByteMoreWith413() throws Exception {
        String head = "{\"name\":\"a\",\"text\":\"b\"";
        String exactly = head + " ".repeat(16 * 1024 - head.length() - 1) + "}";
        assertEquals(16 * 1024, exactly.getBytes(StandardCharsets.UTF_8).length);

        assertEquals(201, ChatHttp.post(app.uri("/chat/size"), JSON, exactly).status());
        ChatHttp.Reply tooBig = ChatHttp.post(app.uri("/chat/size"), JSON, " " + exactly);
        assertEquals(413, tooBig.status());
        assertEquals("body must be at most 16384 bytes", tooBig.body().strip());
    }

    @Test
    void cancelsEachPublishsDeadlineWhenItIsAnswered() throws Exception {
        int idle = app.status("schedulerTasks");

        assertEquals(201, ChatHttp.post(app.uri("/chat/deadline"), FORM, "name=a&text=b").status());
        assertEquals(400, ChatHttp.post(app.uri("/chat/deadline"), FORM, "name=a").status());
        // Chunked, so that the 413 comes from reading the body (a Content-Length over the limit is refused before),
        // and before the whole of it has been read: this one ends without onAllDataRead.
        byte[] tooBig = " ".repeat(200_000).getBytes(StandardCharsets.UTF_8);
        assertEquals(413, ChatHttp.postChunked(app.uri("/chat/deadline"), JSON, tooBig).status());

        // Each deadline is the timeout margin (30 s) away: left in the scheduler, they would still be counted.
        int left = app.awaitStatus("schedulerTasks", n -> n <= idle, Duration.ofSeconds(10));
        assertTrue(left <= idle, "timers: " + left + ", before the publishes: " + idle);
    }

    @Test
    void refusesAChunkedBodyOver16KiBWith413WithoutTrustingALength() throws Exception {
        String head = "{\"name\":\"a\",\"text\":\"b\"";
        byte[] body = (head + " ".repeat(200_000) + "}").getBytes(StandardCharsets.UTF_8);

        ChatHttp.Reply reply = ChatHttp.postChunked(app.uri("/chat/size"), JSON, body);

        assertEquals(413, reply.status(), reply.body());
        assertEquals("body must be at most 16384 bytes", reply.body().strip());
        byte[] small = (head + "}").getBytes(StandardCharsets.UTF_8);
        assertEquals(201, ChatHttp.postChunked(app.uri("/chat/size"), JSON, small).status(), "a small chunked body");
        assertEquals(0, app.awaitStatus("openChatPublishes", n -> n == 0, Duration.ofSeconds(20)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "multipart/form-data; boundary=x", "application/xml", "none"})
    void refusesOtherContentTypesWith415(String contentType) throws Exception {
        ChatHttp.Reply reply = ChatHttp.post(app.uri("/chat/types"), contentType.equals("none") ? null : contentType,
                "name=a&text=b");

        assertEquals(415, reply.status());
        assertEquals("Content-Type must be application/json or application/x-www-form-urlencoded",
                reply.body().strip());
    }

    @Test
    void refusesAForeignOriginAndTakesItsOwnOrNone() throws Exception {
        ChatHttp.Reply foreign = ChatHttp.post(app.uri("/chat/origin"), FORM, "name=a&text=b",
                "Origin", "http://evil.example");
        assertEquals(403, foreign.status());
        assertEquals("origin http://evil.example may not publish here", foreign.body().strip());
        ChatHttp.Reply otherPort = ChatHttp.post(app.uri("/chat/origin"), FORM, "name=a&text=b",
                "Origin", "http://127.0.0.1:" + (app.base().getPort() + 1));
        assertEquals(403, otherPort.status());

        assertEquals(201, ChatHttp.post(app.uri("/chat/origin"), FORM, "name=a&text=b",
                "Origin", "http://127.0.0.1:" + app.base().getPort()).status());
        assertEquals(201, ChatHttp.post(app.uri("/chat/origin"), FORM, "name=a&text=b").status());
        assertEquals(List.of("b", "b"), texts(ChatHttp.poll(app, "origin", "since=0-0")), "only the two allowed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PUT", "DELETE", "PATCH", "BREW"})
    void refusesOtherMethodsWith405(String method) throws Exception {
        ChatHttp.Reply reply = ChatHttp.send(method, app.uri("/chat/lobby"));

        assertEquals(405, reply.status());
        assertEquals("GET, HEAD, POST, OPTIONS", reply.header("Allow"));
    }

    @Test
    void answersOptionsAndHeadAtOnce() throws Exception {
        assertEquals("GET, HEAD, POST, OPTIONS", ChatHttp.send("OPTIONS", app.uri("/chat/lobby")).header("Allow"));
        ChatHttp.Reply head = ChatHttp.send("HEAD", app.uri("/chat/lobby"));
        assertEquals(200, head.status());
        assertTrue(head.header("Content-Type").startsWith("application/x-ndjson"), head.header("Content-Type"));
        assertEquals(0, app.status("openChatPolls"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        text/event-stream                             | text/event-stream
        text/event-stream;q=0, application/x-ndjson   | application/x-ndjson
        text/event-stream;q=0.5, application/x-ndjson | application/x-ndjson
        text/event-stream;q=0                         | application/x-ndjson
        */*                                           | application/x-ndjson
        """)
    void streamsEventsOnlyToAClientThatRanksThemFirst(String accept, String type) throws Exception {
        // HEAD answers with GET's headers at once: the content type says which GET would have started.
        Http.Response head = Http.send("HEAD", app.uri("/chat/lobby"), "Accept", accept);

        assertEquals(200, head.status());
        assertTrue(head.header("Content-Type").startsWith(type), head.header("Content-Type"));
    }

    @Test
    void readsAnAcceptListSentOverSeveralLines() throws Exception {
        Http.Response head = Http.send("HEAD", app.uri("/chat/lobby"),
                "Accept", "application/x-ndjson;q=0.1", "Accept", "text/event-stream");

        assertTrue(head.header("Content-Type").startsWith("text/event-stream"), head.header("Content-Type"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        /chat                 | room must be 1 to 64 letters, digits, '_' or '-', got ''
        /chat/                | room must be 1 to 64 letters, digits, '_' or '-', got ''
        /chat/a%20b           | room must be 1 to 64 letters, digits, '_' or '-', got 'a b'
        /chat/a.b             | room must be 1 to 64 letters, digits, '_' or '-', got 'a.b'
        /chat/a/b             | room must be 1 to 64 letters, digits, '_' or '-', got 'a/b'
        /chat/x1234567890123456789012345678901234567890123456789012345678901234 | room must be 1 to 64 letters, digits, '_' or '-', got 'x12345678901234567890123...'
        /chat/lobby/socket    | Expected WebSocket request.
        """)
    void refusesABadRoomWith400OnEveryMethod(String path, String line) throws Exception {
        ChatHttp.Reply get = ChatHttp.get(app.uri(path));
        assertEquals(400, get.status(), get.body());
        assertEquals(line, get.body().strip());
        ChatHttp.Reply post = ChatHttp.post(app.uri(path), FORM, "name=a&text=b");
        assertEquals(400, post.status());
        assertEquals(line, post.body().strip());
        assertEquals(0, app.status("openChatPolls"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        since=abc            | since must be a message id like 1795705200000-0, got 'abc'
        since=1-             | since must be a message id like 1795705200000-0, got '1-'
        since=-1-0           | since must be a message id like 1795705200000-0, got '-1-0'
        since=99999999999999999999-0 | since must be a message id like 1795705200000-0, got '99999999999999999999-0'
        timeout=0            | timeout must be an integer from 1 to 120000, got '0'
        timeout=120001       | timeout must be an integer from 1 to 120000, got '120001'
        limit=0              | limit must be an integer from 1 to 1000, got '0'
        limit=1001           | limit must be an integer from 1 to 1000, got '1001'
        since=0-0&since=0-1  | since must be given once, got 2 values
        timeout=1&timeout=2  | timeout must be given once, got 2 values
        limit=5&limit=       | limit must be given once, got 2 values
        """)
    void refusesBadReadParametersWith400(String query, String line) throws Exception {
        ChatHttp.Reply reply = ChatHttp.get(app.uri("/chat/lobby?" + query));

        assertEquals(400, reply.status());
        assertEquals(line, reply.body().strip());
        assertEquals(400, ChatHttp.send("HEAD", app.uri("/chat/lobby?" + query)).status(), "HEAD answers as GET");
        ChatHttp.Reply events = ChatHttp.get(app.uri("/chat/lobby?since=x"), "Accept", "text/event-stream");
        assertEquals(400, events.status());
        // HEAD answers as GET would, and a failure here is a 200, not an event stream that never ends.
        assertEquals(400, ChatHttp.send("HEAD", app.uri("/chat/lobby?since=0-0&since=0-1"), "Accept",
                "text/event-stream").status(), "since given twice, for events");
        ChatHttp.Reply badHeader = ChatHttp.get(app.uri("/chat/lobby"), "Accept", "text/event-stream",
                "Last-Event-ID", "nope");
        assertEquals(400, badHeader.status());
        assertEquals("Last-Event-ID must be a message id like 1795705200000-0, got 'nope'", badHeader.body().strip());
    }

    @Test
    void answers503WithOneLineBeyondMaxRooms() throws Exception {
        try (Deployment small = Deployment.start(container, ServerOptions.defaults()
                .withContextParams(Map.of("asyncprimer.chat.maxRooms", "2")))) {
            ChatHttp.publish(small, "one", "a", "b");
            ChatHttp.publish(small, "two", "a", "b");

            ChatHttp.Reply refused = ChatHttp.post(small.uri("/chat/three"), FORM, "name=a&text=b");
            assertEquals(503, refused.status());
            assertEquals("too many chat rooms open (at most 2); try again later", refused.body().strip());
            assertEquals("5", refused.header("Retry-After"));
            ChatHttp.publish(small, "one", "a", "rooms that exist still take messages");
            assertEquals(2, small.status("chatRooms"));

            // Every transport refuses the same way: 503, Retry-After and the one line saying why; the WebSocket,
            // open by then, closes with 1013 (try again later) and that line as its reason.
            ChatHttp.Reply poll = ChatHttp.poll(small, "three", "timeout=5000");
            assertRefusedForTooManyRooms(poll, "a long-poll that would open a third room");
            ChatHttp.Reply events = ChatHttp.get(small.uri("/chat/three"), "Accept", "text/event-stream");
            assertRefusedForTooManyRooms(events, "a stream that would open a third room");
            assertEquals(0, small.awaitStatus("openChatPolls", n -> n == 0, Duration.ofSeconds(20)));
            assertEquals(0, small.awaitStatus("openChatStreams", n -> n == 0, Duration.ofSeconds(20)));
            try (WsClient socket = WsClient.connect(small.base(), "/chat/three/socket", null)
                    .get(10, TimeUnit.SECONDS)) {
                assertEquals(new WsClient.Close(1013, "too many chat rooms open (at most 2); try again later"),
                        socket.awaitClose(10), "a socket that would open a third room");
            }
            assertEquals(0, small.awaitStatus("openChatSockets", n -> n == 0, Duration.ofSeconds(20)));
        }
    }

    private static void assertRefusedForTooManyRooms(ChatHttp.Reply reply, String what) {
        assertEquals(503, reply.status(), what);
        assertEquals("too many chat rooms open (at most 2); try again later", reply.body().strip(), what);
        assertTrue(reply.header("Content-Type").startsWith("text/plain"), what + ": " + reply.header("Content-Type"));
        assertEquals("5", reply.header("Retry-After"), what);
    }

    @Test
    void aSlowBodyHoldsNoThreadAndIsAnswered408() throws Exception {
        // Two request threads, four publishers that send half a body and stop: a thread per waiting body would
        // leave nothing for anyone else until the timeout.
        try (Deployment small = Deployment.start(container, ServerOptions.defaults().withMaxThreads(2)
                .withContextParams(Map.of(AppSettings.TIMEOUT_MARGIN_MS, "8000")))) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    slow.add(halfABody(small));
                }
                assertEquals(4, small.awaitStatus("openChatPublishes", n -> n == 4, Duration.ofSeconds(20)));

                long sent = System.nanoTime();
                ChatHttp.publish(small, "slow", "quick", "not held up");
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                // A thread per waiting body would hold the quick one until the bodies' timeout, 8 s.
                assertTrue(tookMs < 5000, "a publish while four bodies dawdle took " + tookMs + " ms");
                assertEquals(4, small.status("openChatPublishes"), "the slow ones still wait, holding no thread");

                for (Socket socket : slow) {
                    String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                    assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
                    assertTrue(answer.contains("body did not arrive in time"), answer);
                }
                assertEquals(0, small.awaitStatus("openChatPublishes", n -> n == 0, Duration.ofSeconds(20)));
                assertEquals(List.of("not held up"), texts(ChatHttp.poll(small, "slow", "since=0-0")));
            } finally {
                for (Socket socket : slow) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aPublisherThatVanishesMidBodyLeavesNothingBehind() throws Exception {
        Socket socket = halfABody(app);
        assertEquals(1, app.awaitStatus("openChatPublishes", n -> n == 1, Duration.ofSeconds(20)));

        socket.setSoLinger(true, 0);
        socket.close(); // a reset: the container's read fails

        assertEquals(0, app.awaitStatus("openChatPublishes", n -> n == 0, Duration.ofSeconds(10)));
        assertEquals(0, ChatHttp.poll(app, "vanish", "since=0-0&timeout=1").lines().size());
    }

    /** Sends the headers of a 100-byte JSON publish and the first 10 bytes of its body, then nothing. */
    private static Socket halfABody(Deployment app) throws Exception {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(app.base().getHost(), app.base().getPort()), 5000);
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /chat/slow HTTP/1.1\r\nHost: " + app.base().getHost() + ":" + app.base().getPort()
                + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":\"a")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private static List<String> texts(ChatHttp.Reply reply) throws Exception {
        return reply.lines().stream().map(line -> line.get("text").asText()).toList();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
