package org.asyncprimer.fetch;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.app.AppSettings;
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
class FetchIT extends Deployed {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int QUEUE_CAPACITY = 4;
    /** Two lines of 64 KiB fit, a third would not; four lines of 16 KiB fit, so either bound can be reached. */
    private static final int MAX_QUEUED_BYTES = 150_000;

    @Override
    protected ServerOptions options() {
        return ServerOptions.defaults().withContextParams(Map.of(
                FetchServlet.QUEUE_CAPACITY, Integer.toString(QUEUE_CAPACITY),
                FetchServlet.MAX_QUEUED_BYTES, Integer.toString(MAX_QUEUED_BYTES)));
    }

    @Test
    void writesEveryChunkInOrderAsItArrives() throws Exception {
        Http.Streamed response = Http.stream(app.uri("/fetch?count=5&interval=100"));

        assertEquals(200, response.status());
        assertEquals("application/x-ndjson;charset=utf-8",
                response.header("Content-Type").replace(" ", "").toLowerCase(Locale.ROOT));
        assertEquals(5, response.lines().size(), response.texts().toString());
        for (int i = 0; i < 5; i++) {
            JsonNode line = JSON.readTree(response.lines().get(i).text());
            assertEquals(i + 1, line.get("seq").asInt());
            assertEquals(5, line.get("of").asInt());
            assertTrue(line.get("at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
            Instant.parse(line.get("at").asText());
        }
        long first = response.lines().get(0).atMillis();
        long last = response.lines().get(4).atMillis();
        // Half the planned 400 ms: a line stamped late shrinks the gap; a buffered body gives about 0.
        assertTrue(last - first >= 4 * 100 / 2, "lines arrive one by one, not at once: " + response.lines());
        assertEquals(0, app.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(20)));
    }

    @Test
    void sendsTheSameHeadersAsStream() throws Exception {
        Http.Streamed response = Http.stream(app.uri("/fetch?count=1&interval=0"));

        assertAll(
                () -> assertEquals("no-cache", response.header("Cache-Control")),
                () -> assertEquals("no", response.header("X-Accel-Buffering")),
                () -> assertEquals("nosniff", response.header("X-Content-Type-Options")));
    }

    @Test
    void answersNoContentWhenNothingArrivesBeforeTheTimeout() throws Exception {
        long sent = System.nanoTime();
        Http.Response response = Http.get(app.uri("/fetch?interval=5000&timeout=200"));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

        assertEquals(204, response.status());
        assertEquals("", response.body());
        assertTrue(tookMs >= 150 && tookMs < 4000, "204 after the long-poll timeout, took " + tookMs + " ms");
        assertEquals(0, app.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(20)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "count=0         | count must be an integer from 1 to 1000, got '0'",
        "count=1001      | count must be an integer from 1 to 1000, got '1001'",
        "count=five      | count must be an integer from 1 to 1000, got 'five'",
        "interval=-1     | interval must be an integer from 0 to 60000, got '-1'",
        "interval=60001  | interval must be an integer from 0 to 60000, got '60001'",
        "timeout=0       | timeout must be an integer from 1 to 300000, got '0'",
        "timeout=300001  | timeout must be an integer from 1 to 300000, got '300001'",
        "pad=65537       | pad must be an integer from 0 to 65536, got '65537'",
        "timeout=1&timeout=2 | timeout must be given once, got 2 values",
        "count=5&count=  | count must be given once, got 2 values",
        "count=1000&interval=60000 | count*interval+timeout must be at most 600000 ms (10 minutes), got 60030000",
        "count=10&interval=57001&timeout=30000 | count*interval+timeout must be at most 600000 ms (10 minutes), got 600010",
    })
    void rejectsBadParametersWithOneLine(String query, String message) throws Exception {
        Http.Response response = Http.get(app.uri("/fetch?" + query));

        assertEquals(400, response.status());
        assertEquals(message + "\n", response.body().replace("\r\n", "\n"));
        assertEquals(0, app.status("openFetches"));
        // HEAD answers as GET, which also lets acceptsThePlannedDurationUpToItsLimit ask with HEAD.
        assertEquals(400, Http.send("HEAD", app.uri("/fetch?" + query)).status(), "HEAD answers as GET");
    }

    @Test
    void acceptsThePlannedDurationUpToItsLimit() throws Exception {
        Http.Response response = Http.send("HEAD", app.uri("/fetch?count=10&interval=57000&timeout=30000"));

        assertEquals(200, response.status(), "10 * 57000 + 30000 = 600000 is allowed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "BREW"})
    void refusesOtherMethods(String method) throws Exception {
        GetOnlyAnswers.assertRefused(app.uri("/fetch"), method);
    }

    @Test
    void answersOptionsWithTheAllowedMethods() throws Exception {
        GetOnlyAnswers.assertOptions(app.uri("/fetch"));
    }

    @Test
    void cancelsTheWorkerWhenTheClientDisconnects() throws Exception {
        int idle = app.status("schedulerTasks");
        RawClient client = RawClient.get(app.base(), "/fetch?count=1000&interval=200", 0);
        client.readUntil("\"seq\":1,");
        assertEquals(1, app.status("openFetches"));

        client.abort();

        // Noticed at the next line's write, 200 ms on; the worker must stop then, not tick on for 200 s.
        assertEquals(0, app.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(10)));
        int tasks = app.awaitStatus("schedulerTasks", n -> n <= idle, Duration.ofSeconds(10));
        assertTrue(tasks <= idle, "a timer was left behind: " + tasks + " tasks, " + idle + " when idle");
    }

    @Test
    void pausesTheWorkerWhileTheClientDoesNotRead() throws Exception {
        // 1000 lines of 16 KiB as fast as possible, to a client that never reads: socket buffers fill (and grow, as
        // the kernel tunes them, up to 4 MiB here), then the queue, then the worker must stop producing instead of
        // the server buffering 16 MB.
        try (RawClient client = RawClient.get(app.base(), "/fetch?count=1000&interval=0&pad=16384", 4096)) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int mostQueued = 0;
            boolean pausedAtBound = false;
            while (!pausedAtBound && System.nanoTime() < end) {
                JsonNode status = app.status();
                int queued = status.get("queuedFetchChunks").asInt();
                mostQueued = Math.max(mostQueued, queued);
                pausedAtBound = status.get("pausedFetchWorkers").asInt() == 1 && queued == QUEUE_CAPACITY;
                Thread.sleep(10); // polling interval; the loop checks the outcome
            }
            assertTrue(pausedAtBound, "the worker paused with the queue at its bound");
            assertTrue(mostQueued <= QUEUE_CAPACITY, "queue never past its bound: " + mostQueued);
            assertEquals(1, app.status("openFetches"), "still open: 1000 lines of 16 KiB cannot have gone out");
        }
        assertEquals(0, app.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(10)));
        assertEquals(0, app.status("queuedFetchChunks"));
    }

    @Test
    void boundsWhatANonReadingClientPinsInBytes() throws Exception {
        // Lines of 64 KiB: two fit into 150 000 bytes, a third would not. The bound is what the queue holds (at most
        // maxQueuedBytes, or one chunk if a single chunk is larger), on top of the container's and kernel's buffers.
        try (RawClient client = RawClient.get(app.base(), "/fetch?count=1000&interval=0&pad=65536", 4096)) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long mostBytes = 0;
            boolean pausedAtBound = false;
            while (!pausedAtBound && System.nanoTime() < end) {
                JsonNode status = app.status();
                long bytes = status.get("queuedFetchBytes").asLong();
                mostBytes = Math.max(mostBytes, bytes);
                pausedAtBound = status.get("pausedFetchWorkers").asInt() == 1
                        && status.get("queuedFetchChunks").asInt() == 2;
                Thread.sleep(10); // polling interval; the loop checks the outcome
            }
            assertTrue(pausedAtBound, "the worker paused with two lines queued");
            assertTrue(mostBytes <= MAX_QUEUED_BYTES, "queued bytes never past the bound: " + mostBytes);
            // Not re-read after the loop: the kernel may take a line between two reads of /status.
            assertTrue(mostBytes > 2 * 65_536, "the two queued lines are counted in bytes: " + mostBytes);
        }
        assertEquals(0, app.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(10)));
        assertEquals(0, app.status("queuedFetchBytes"));
    }

    @Test
    void resumesThePausedWorkerWhenTheClientCatchesUp() throws Exception {
        try (RawClient client = RawClient.get(app.base(), "/fetch?count=200&interval=0&pad=65536", 4096)) {
            assertEquals(1, app.awaitStatus("pausedFetchWorkers", n -> n == 1, Duration.ofSeconds(20)));
            String body = client.readToEnd();
            assertTrue(body.contains("\"seq\":200,"), "every line arrives once the client reads");
            for (int seq = 1; seq <= 200; seq++) {
                assertTrue(body.contains("{\"seq\":" + seq + ",\"of\":200,"), "line " + seq);
            }
        }
        assertEquals(0, app.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(20)));
    }

    @Test
    void endsAClientThatTakesNothingAfterTheStallTimeout() throws Exception {
        try (Deployment stalling = Deployment.start(container, ServerOptions.defaults()
                .withContextParams(Map.of(AppSettings.STALL_TIMEOUT_MS, "1000")))) {
            int idle = stalling.status("schedulerTasks"); // the chat's idle-room sweep
            long sent = System.nanoTime(); // before the request: the server's clocks start as it arrives
            try (RawClient client = RawClient.get(stalling.base(), "/fetch?count=1000&interval=0&pad=65536", 4096)) {
            assertEquals(1, stalling.awaitStatus("pausedFetchWorkers", n -> n == 1, Duration.ofSeconds(20)));

            // The async timeout is 30 s away (the default long-poll plus the default margin): the stall ends it.
            assertEquals(0, stalling.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(15)));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            assertTrue(tookMs >= 900, "not before the stall timeout: " + tookMs + " ms");
            assertEquals(idle, stalling.awaitStatus("schedulerTasks", n -> n == idle, Duration.ofSeconds(20)), "the worker's, the long-poll's and the stall timer are gone");
            assertEquals(0, stalling.status("queuedFetchBytes"));
            }
        }
    }

    @Test
    void endsAClientThatNeverReadsAtItsAsyncTimeout() throws Exception {
        try (Deployment impatient = Deployment.start(container, ServerOptions.defaults()
                .withContextParams(Map.of(AppSettings.TIMEOUT_MARGIN_MS, "500")))) {
            int idle = impatient.status("schedulerTasks"); // the chat's idle-room sweep
            long sent = System.nanoTime(); // before the request: the server's clocks start as it arrives
            try (RawClient client = RawClient.get(impatient.base(),
                    "/fetch?count=1000&interval=0&pad=65536&timeout=1000", 4096)) {
            assertEquals(1, impatient.awaitStatus("openFetches", n -> n == 1, Duration.ofSeconds(20)));

            // Planned: 1000 lines 0 ms apart plus the 1 s long-poll = 1 s; async timeout 1.5 s (the stall: 60 s).
            // Tomcat checks async timeouts once a second, so it may come up to a second later.
            assertEquals(0, impatient.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(15)));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            assertTrue(tookMs >= 1400, "not before planned + margin: " + tookMs + " ms");
            assertEquals(idle, impatient.awaitStatus("schedulerTasks", n -> n == idle, Duration.ofSeconds(20)));
            assertEquals(0, impatient.status("queuedFetchBytes"));
            }
        }
    }

    @Test
    void endsOpenFetchesWhenTheServerStops() throws Exception {
        long schedulerThreadsBefore = schedulerThreads();
        Deployment doomed = Deployment.start(container);
        String received = RawClient.readAcrossStop(doomed, "/fetch?count=500&interval=500", "\"seq\":1,");
        assertEquals(schedulerThreadsBefore, schedulerThreads(), "the undeployed app's scheduler threads are gone");
        assertFalse(received.contains("\"seq\":500,"), received);
        if (!container.isJetty()) {
            // As for /stream: Tomcat lets contextDestroyed end each response properly, Jetty closes connections first.
            assertTrue(received.endsWith("0\r\n\r\n"), "the chunked body was ended, not cut off: " + received);
        }
    }

    /** The application's scheduler threads alive in this JVM (the servers under test run in it). */
    private static long schedulerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("async-primer-scheduler-")).count();
    }

    @Test
    void holds200FetchesOnTwoRequestThreads() throws Exception {
        try (Deployment small = Deployment.start(container, ServerOptions.defaults().withMaxThreads(2))) {
            for (Http.Streamed response : Http.streamConcurrently(small.uri("/fetch?count=5&interval=300"), 200)) {
                List<Integer> seqs = new ArrayList<>();
                for (String line : response.texts()) {
                    seqs.add(JSON.readTree(line).get("seq").asInt());
                }
                assertEquals(List.of(1, 2, 3, 4, 5), seqs);
            }
            assertEquals(0, small.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(20)));
        }
    }
}
