package org.asyncprimer.http2;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.asyncprimer.it.Container;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.H2Client;
import org.asyncprimer.it.OnEveryContainer;
import org.asyncprimer.it.RawH2;
import org.asyncprimer.it.ServerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * The same streaming responses over HTTP/2 in the clear (h2c, prior knowledge), with the same non-blocking code:
 * HTTP/2 flow control is the container's. Many streams share one connection, so a stream whose reader stalls must
 * not stall the others, and a stream the client resets (RST_STREAM) must be cleaned up like a disconnect.
 */
@OnEveryContainer
class H2IT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int QUEUE_CAPACITY = 4;
    private static final long LATE = 3000;

    @Parameter
    Container container;

    private Deployment app;
    private H2Client h2;

    @BeforeParameterizedClassInvocation
    void deploy() throws Exception {
        app = Deployment.start(container, ServerOptions.defaults()
                .withContextParams(Map.of("asyncprimer.fetch.queueCapacity", Integer.toString(QUEUE_CAPACITY),
                        // Room for QUEUE_CAPACITY lines of 64 KiB, so the chunk bound is the one the stall meets.
                        "asyncprimer.fetch.maxQueuedBytes", Integer.toString(1 << 20))));
    }

    @AfterParameterizedClassInvocation
    void undeploy() throws Exception {
        if (app != null) {
            app.stop();
        }
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
    void streamsStartMiddleEndOnScheduleOverH2c() throws Exception {
        H2Client.Response response = h2.stream(app.uri("/stream?first=400&second=600"));

        assertEquals("HTTP/2.0", response.version());
        assertEquals(200, response.status());
        assertEquals(List.of("START", "MIDDLE", "END"), response.texts());
        long start = response.lines().get(0).atMillis();
        long middle = response.lines().get(1).atMillis();
        long end = response.lines().get(2).atMillis();
        assertAll(
                () -> assertTrue(start < LATE, "START at once, came at " + start + " ms"),
                // From the request's sending: no chunk before its time (as StreamIT), however late MIDDLE arrived.
                () -> assertTrue(middle >= 350 && middle < 400 + LATE, "MIDDLE due 400 ms in, came at " + middle),
                () -> assertTrue(end >= 950 && end < 1000 + LATE, "END due 1000 ms in, came at " + end),
                () -> assertEquals("no-cache", response.header("Cache-Control")),
                () -> assertEquals("nosniff", response.header("X-Content-Type-Options")));
        assertEquals(0, app.awaitStatus("openStreams", n -> n == 0, Duration.ofSeconds(20)));
    }

    @Test
    void servesServerSentEventsOverH2c() throws Exception {
        H2Client.Response response = h2.stream(app.uri("/stream?first=50&second=50"), "Accept", "text/event-stream");

        assertEquals("HTTP/2.0", response.version());
        assertTrue(response.header("Content-Type").startsWith("text/event-stream"), response.header("Content-Type"));
        assertEquals(List.of(
                "id: 1", "event: start", "data: START", "",
                "id: 2", "event: middle", "data: MIDDLE", "",
                "id: 3", "event: end", "data: END", ""), response.texts());
    }

    @Test
    void fetchesEveryLineInOrderOverH2c() throws Exception {
        H2Client.Response response = h2.stream(app.uri("/fetch?count=5&interval=100"));

        assertEquals("HTTP/2.0", response.version());
        assertEquals(200, response.status());
        List<Integer> seqs = new ArrayList<>();
        for (String line : response.texts()) {
            seqs.add(JSON.readTree(line).get("seq").asInt());
        }
        assertEquals(List.of(1, 2, 3, 4, 5), seqs);
        // From the second line: the first one's arrival also carries the connection's start-up on a busy machine.
        long second = response.lines().get(1).atMillis();
        long last = response.lines().get(4).atMillis();
        // Half the planned 300 ms: a line stamped late shrinks the gap; a buffered body gives about 0.
        assertTrue(last - second >= 3 * 100 / 2, "lines arrive one by one, not at once: " + response.lines());
        assertEquals(0, app.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(20)));
    }

    @Test
    void carriesFiftyStreamsOnOneConnection() throws Exception {
        List<H2Client.Exchange> exchanges = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            exchanges.add(h2.open(app.uri("/stream?first=500&second=500")));
        }
        for (H2Client.Exchange exchange : exchanges) {
            H2Client.Response response = exchange.await(Duration.ofSeconds(30));
            assertEquals(List.of("START", "MIDDLE", "END"), response.texts());
            long end = response.lines().get(2).atMillis();
            assertTrue(end < 1000 + 5000, "END " + end + " ms after its request");
        }
        assertEquals(1, h2.connectionsOpened(), "every stream on one connection");
        assertEquals(0, app.awaitStatus("openStreams", n -> n == 0, Duration.ofSeconds(20)));
    }

    @Test
    void aStalledStreamDoesNotHoldUpTheOthersOnItsConnection() throws Exception {
        try (RawH2 connection = RawH2.connect(app.base())) {
            // 200 lines of 64 KiB as fast as possible, on a stream the client never reads: its HTTP/2 window
            // fills, then the queue, then the worker pauses. The connection stays open for the other streams.
            int stalled = connection.get("/fetch?pad=65536&interval=0&count=200");
            assertEquals(1, app.awaitStatus("pausedFetchWorkers", n -> n == 1, Duration.ofSeconds(20)),
                    "the worker paused behind the stalled stream");
            assertEquals(QUEUE_CAPACITY, app.status("queuedFetchChunks"));

            long sent = System.nanoTime();
            int stream = connection.get("/stream?first=300&second=300");
            String body = connection.readUntil(stream, "END");
            long tookMs = (System.nanoTime() - sent) / 1_000_000;

            assertEquals("START\nMIDDLE\nEND\n", body);
            assertTrue(tookMs < 600 + LATE, "END on time beside the stalled stream: " + tookMs + " ms");
            assertTrue(connection.dataBytes(stalled) <= 65535,
                    "the stalled stream got no more than its first window: " + connection.dataBytes(stalled));
            assertEquals(1, app.status("openFetches"), "the stalled response is still open");

            connection.reset(stalled);
            assertEquals(0, app.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(10)));
            assertEquals(0, app.status("queuedFetchChunks"));
        }
    }

    @Test
    void aResetStreamIsCleanedUpLikeADisconnect() throws Exception {
        try (RawH2 connection = RawH2.connect(app.base())) {
            int stream = connection.get("/stream?first=60000&second=60000");
            connection.readUntil(stream, "START");
            assertEquals(1, app.status("openStreams"));

            connection.reset(stream);

            // Long before MIDDLE is due: the container tells the application at once that the client reset the
            // stream (a plain disconnect is noticed only at the next write).
            assertEquals(0, app.awaitStatus("openStreams", n -> n == 0, Duration.ofSeconds(10)));
            int next = connection.get("/stream?first=0&second=0");
            assertEquals("START\nMIDDLE\nEND\n", connection.readUntil(next, "END"),
                    "the connection still serves new streams");
        }
    }

    @Test
    void upgradesToH2cWhenTheClientAsks() throws Exception {
        // The JDK's client asks with Upgrade: h2c on its first request instead of assuming prior knowledge.
        HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<java.util.stream.Stream<String>> response = jdk.send(
                HttpRequest.newBuilder(app.uri("/stream?first=100&second=100")).build(),
                HttpResponse.BodyHandlers.ofLines());

        assertEquals(HttpClient.Version.HTTP_2, response.version());
        assertEquals(List.of("START", "MIDDLE", "END"), response.body().toList());
    }
}
