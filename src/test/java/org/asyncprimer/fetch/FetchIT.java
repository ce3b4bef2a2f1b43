package org.asyncprimer.fetch;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.asyncprimer.it.Container;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.Http;
import org.asyncprimer.it.OnEveryContainer;
import org.asyncprimer.it.RawClient;
import org.asyncprimer.it.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@OnEveryContainer
class FetchIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int QUEUE_CAPACITY = 4;

    @Parameter
    Container container;

    private Deployment app;

    @BeforeParameterizedClassInvocation
    void deploy() throws Exception {
        app = Deployment.start(container, ServerOptions.defaults()
                .withContextParams(Map.of(FetchServlet.QUEUE_CAPACITY, Integer.toString(QUEUE_CAPACITY))));
    }

    @AfterParameterizedClassInvocation
    void undeploy() throws Exception {
        if (app != null) {
            app.stop();
        }
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
        assertTrue(last - first >= 4 * 100 - 50, "lines arrive one by one, not at once: " + response.lines());
        assertEquals(0, app.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(5)));
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
        assertEquals(0, app.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(5)));
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
    })
    void rejectsBadParametersWithOneLine(String query, String message) throws Exception {
        Http.Response response = Http.get(app.uri("/fetch?" + query));

        assertEquals(400, response.status());
        assertEquals(message + "\n", response.body().replace("\r\n", "\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE"})
    void refusesOtherMethods(String method) throws Exception {
        assertEquals(405, Http.send(method, app.uri("/fetch")).status());
    }

    @Test
    void cancelsTheWorkerWhenTheClientDisconnects() throws Exception {
        try (RawClient client = RawClient.get(app.base(), "/fetch?count=1000&interval=50", 0)) {
            client.readUntil("\"seq\":1,");
            assertEquals(1, app.status("openFetches"));
        }
        assertEquals(0, app.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(10)));
    }

    @Test
    void pausesTheWorkerWhileTheClientDoesNotRead() throws Exception {
        // 1000 lines of 64 KiB as fast as possible, to a client that never reads: socket buffers fill (and grow, as
        // the kernel tunes them), then the queue, then the worker must stop producing instead of the server
        // buffering 64 MB.
        try (RawClient client = RawClient.get(app.base(), "/fetch?count=1000&interval=0&pad=65536", 4096)) {
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
            assertEquals(1, app.status("openFetches"), "still open: 1000 lines of 64 KiB cannot have gone out");
        }
        assertEquals(0, app.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(10)));
        assertEquals(0, app.status("queuedFetchChunks"));
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
        assertEquals(0, app.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(5)));
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
            assertEquals(0, small.awaitStatus("openFetches", n -> n == 0, Duration.ofSeconds(5)));
        }
    }
}
