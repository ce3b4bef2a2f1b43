package org.asyncprimer.stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.it.Deployed;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.GetOnlyAnswers;
import org.asyncprimer.it.Http;
import org.asyncprimer.it.OnEveryContainer;
import org.asyncprimer.it.RawClient;
import org.asyncprimer.it.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@OnEveryContainer
class StreamIT extends Deployed {

    /** Shortened delays; tolerances allow for a shared 2-core machine, not for a thread-bound server. */
    private static final int FIRST = 400;
    private static final int SECOND = 600;
    private static final long LATE = 3000;


    private URI shortStream() {
        return app.uri("/stream?first=" + FIRST + "&second=" + SECOND);
    }

    @Test
    void streamsStartMiddleEndOnSchedule() throws Exception {
        Http.Streamed response = Http.stream(shortStream());

        assertEquals(200, response.status());
        assertEquals(List.of("START", "MIDDLE", "END"), response.texts());
        long start = response.lines().get(0).atMillis();
        long middle = response.lines().get(1).atMillis();
        long end = response.lines().get(2).atMillis();
        assertAll(
                () -> assertTrue(start < LATE, "START at once, came at " + start + " ms"),
                () -> assertTrue(middle - start >= FIRST / 2, "START ahead of MIDDLE, not held back with it: "
                        + start + " and " + middle + " ms"),
                // Times from the request's sending. Each chunk is scheduled a fixed time after the one before was
                // written, so none can come before FIRST (MIDDLE) or FIRST + SECOND (END); END - MIDDLE as the client
                // sees it is shorter whenever MIDDLE reached it late, which is no fault of the schedule.
                () -> assertTrue(middle >= FIRST - 50 && middle < FIRST + LATE,
                        "MIDDLE due " + FIRST + " ms after the request, came at " + middle + " ms"),
                () -> assertTrue(end >= FIRST + SECOND - 50 && end < FIRST + SECOND + LATE,
                        "END due " + (FIRST + SECOND) + " ms after the request, came at " + end + " ms"));
    }

    @Test
    void blockingVariantStreamsTheSameWords() throws Exception {
        Http.Streamed response = Http.stream(app.uri("/stream/blocking?first=100&second=100"));

        assertEquals(200, response.status());
        assertEquals(List.of("START", "MIDDLE", "END"), response.texts());
        assertEquals(400, Http.get(app.uri("/stream/blocking?first=x")).status());
    }

    @Test
    void blockingVariantAnswersHeadAtOnce() throws Exception {
        long sent = System.nanoTime();
        Http.Response response = Http.send("HEAD", app.uri("/stream/blocking?first=60000&second=60000"));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

        assertEquals(200, response.status());
        assertTrue(response.header("Content-Type").startsWith("text/plain"), response.header("Content-Type"));
        assertTrue(tookMs < 10_000, "HEAD does not sleep through the stream: took " + tookMs + " ms");
    }

    @Test
    void sendsHeadersThatStopProxiesFromBuffering() throws Exception {
        Http.Streamed response = Http.stream(app.uri("/stream?first=0&second=0"));

        assertAll(
                () -> assertEquals("text/plain;charset=utf-8",
                        response.header("Content-Type").replace(" ", "").toLowerCase(Locale.ROOT)),
                () -> assertEquals("no-cache", response.header("Cache-Control")),
                () -> assertEquals("no", response.header("X-Accel-Buffering")),
                () -> assertEquals("nosniff", response.header("X-Content-Type-Options")),
                () -> assertEquals("chunked", response.header("Transfer-Encoding")));
    }

    @Test
    void servesServerSentEventsWhenAsked() throws Exception {
        Http.Streamed response = Http.stream(app.uri("/stream?first=50&second=50"), "Accept", "text/event-stream");

        assertEquals(200, response.status());
        assertTrue(response.header("Content-Type").startsWith("text/event-stream"), response.header("Content-Type"));
        assertEquals(List.of(
                "id: 1", "event: start", "data: START", "",
                "id: 2", "event: middle", "data: MIDDLE", "",
                "id: 3", "event: end", "data: END", ""), response.texts());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "first=abc          | first must be an integer from 0 to 60000, got 'abc'",
        "first=-1           | first must be an integer from 0 to 60000, got '-1'",
        "first=60001        | first must be an integer from 0 to 60000, got '60001'",
        "first=             | first must be an integer from 0 to 60000, got ''",
        "first=1e3          | first must be an integer from 0 to 60000, got '1e3'",
        "second=99999999999999999999 | second must be an integer from 0 to 60000, got '99999999999999999999'",
        "second=%2B5        | second must be an integer from 0 to 60000, got '+5'",
        "first=1&first=2    | first must be given once, got 2 values",
    })
    void rejectsBadParametersWithOneLine(String query, String message) throws Exception {
        Http.Response response = Http.get(app.uri("/stream?" + query));

        assertEquals(400, response.status());
        assertEquals(message + "\n", response.body().replace("\r\n", "\n"));
        assertEquals(0, app.status("openStreams"));
        assertEquals(400, Http.send("HEAD", app.uri("/stream?" + query)).status(), "HEAD answers as GET");
        assertEquals(400, Http.send("HEAD", app.uri("/stream/blocking?" + query)).status(), "so does the blocking one");
    }

    @ParameterizedTest
    @CsvSource({"/stream, POST", "/stream, PUT", "/stream, DELETE", "/stream, PATCH", "/stream, BREW",
        "/stream/blocking, POST", "/stream/blocking, PATCH"})
    void refusesOtherMethods(String path, String method) throws Exception {
        GetOnlyAnswers.assertRefused(app.uri(path), method);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/stream", "/stream/blocking"})
    void answersOptionsWithTheAllowedMethods(String path) throws Exception {
        GetOnlyAnswers.assertOptions(app.uri(path));
        assertEquals(0, app.status("openStreams"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        text/event-stream                   | text/event-stream
        text/event-stream;q=0, text/plain   | text/plain
        text/event-stream;q=0.5, text/plain | text/plain
        text/event-stream;q=0.5, text/*     | text/plain
        */*                                 | text/plain
        """)
    void streamsEventsOnlyToAClientThatRanksThemFirst(String accept, String type) throws Exception {
        Http.Response head = Http.send("HEAD", app.uri("/stream"), "Accept", accept);

        assertEquals(200, head.status());
        assertTrue(head.header("Content-Type").startsWith(type), head.header("Content-Type"));
    }

    @Test
    void answersHeadAtOnceWithoutABody() throws Exception {
        Http.Response response = Http.send("HEAD", app.uri("/stream"));

        assertEquals(200, response.status());
        assertEquals("", response.body());
        assertEquals(0, app.status("openStreams"));
    }

    @Test
    void cancelsTheTimerWhenTheClientDisconnects() throws Exception {
        int idle = app.status("schedulerTasks");
        RawClient client = RawClient.get(app.base(), "/stream?first=2000&second=60000", 0);
        client.readUntil("START");
        assertEquals(1, app.status("openStreams"));
        assertTrue(app.status("schedulerTasks") > idle, "MIDDLE's timer waits");

        client.abort();

        // Tomcat and Jetty notice a gone client only when they write to it: MIDDLE, 2 s on (long enough that the
        // client has hung up before, even on a busy machine: else MIDDLE goes out, and END only a minute later). By
        // then END's timer (60 s) is scheduled, and ending the stream must cancel it, not leave it for a minute.
        assertEquals(0, app.awaitStatus("openStreams", n -> n == 0, Duration.ofSeconds(15)));
        int tasks = app.awaitStatus("schedulerTasks", n -> n <= idle, Duration.ofSeconds(15));
        assertTrue(tasks <= idle, "a timer was left behind: " + tasks + " tasks, " + idle + " when idle");
    }

    @Test
    void leavesNoTimerBehindWhenTimersFireAtOnce() throws Exception {
        int idle = app.status("schedulerTasks");

        // With no delay a timer can fire before schedule() has returned to the thread that wrote the chunk before.
        for (Http.Streamed response : Http.streamConcurrently(app.uri("/stream?first=0&second=0"), 40)) {
            assertEquals(List.of("START", "MIDDLE", "END"), response.texts());
        }

        assertEquals(0, app.awaitStatus("openStreams", n -> n == 0, Duration.ofSeconds(10)));
        int tasks = app.awaitStatus("schedulerTasks", n -> n <= idle, Duration.ofSeconds(10));
        assertTrue(tasks <= idle, tasks + " tasks, " + idle + " when idle");
    }

    @Test
    void holds200StreamsOnTwoRequestThreads() throws Exception {
        try (Deployment small = Deployment.start(container, ServerOptions.defaults().withMaxThreads(2))) {
            // A server that held a thread per stream would need 100 rounds of 2 s here.
            for (Http.Streamed response : Http.streamConcurrently(small.uri("/stream?first=1000&second=1000"), 200)) {
                assertEquals(List.of("START", "MIDDLE", "END"), response.texts());
                long end = response.lines().get(2).atMillis();
                assertTrue(end < 2000 + 5000, "END " + end + " ms after its request");
            }
            assertEquals(0, small.awaitStatus("openStreams", n -> n == 0, Duration.ofSeconds(20)));
        }
    }

    @Test
    void endsOpenStreamsWhenTheServerStops() throws Exception {
        long schedulerThreadsBefore = schedulerThreads();
        Deployment doomed = Deployment.start(container);
        String received = RawClient.readAcrossStop(doomed, "/stream?first=60000&second=60000", "START");
        assertEquals(schedulerThreadsBefore, schedulerThreads(), "the undeployed app's scheduler threads are gone");
        assertFalse(received.contains("MIDDLE"), received);
        if (!container.isJetty()) {
            // Tomcat stops its connectors after the contexts, so the app's contextDestroyed can still end each
            // stream properly. Jetty closes connections first (after its graceful stopTimeout, 0 here): the
            // client sees the connection close, and contextDestroyed only cancels the timers.
            assertTrue(received.endsWith("0\r\n\r\n"), "the chunked body was ended, not cut off: " + received);
        }
    }

    @Test
    void endsOpenBlockingStreamsWhenTheServerStops() throws Exception {
        Deployment doomed = Deployment.start(container);
        String received = RawClient.readAcrossStop(doomed, "/stream/blocking?first=60000&second=60000", "START");
        assertFalse(received.contains("MIDDLE"), received);
        if (!container.isJetty()) {
            // As for /stream: Tomcat stops its connectors after the context (Jetty closes connections first), so
            // the servlet's destroy() can still wake the held thread and let it end the response properly.
            assertTrue(received.endsWith("0\r\n\r\n"), "the chunked body was ended, not cut off: " + received);
        }
    }

    /** The application's scheduler threads alive in this JVM (the servers under test run in it). */
    private static long schedulerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("async-primer-scheduler-")).count();
    }
}
