package org.asyncprimer.metrics;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.DoublePredicate;
import org.asyncprimer.it.Container;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.Http;
import org.asyncprimer.it.OnEveryContainer;
import org.asyncprimer.it.RawClient;
import org.asyncprimer.it.ServerOptions;
import org.asyncprimer.it.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/** /metrics on every container: the JVM's and the application's meters, and who may read them. */
@OnEveryContainer
class MetricsIT {

    private static final String STREAM_COMPLETED = "asyncprimer_responses_ended_total{kind=\"stream\",outcome=\"completed\"}";
    private static final String STREAM_GONE = "asyncprimer_responses_ended_total{kind=\"stream\",outcome=\"client_gone\"}";
    private static final String LATENESS_COUNT = "asyncprimer_stream_lateness_seconds_count";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameter
    Container container;

    private Deployment app;

    @BeforeParameterizedClassInvocation
    void deploy() throws Exception {
        app = Deployment.start(container);
    }

    @AfterParameterizedClassInvocation
    void undeploy() throws Exception {
        if (app != null) {
            app.stop();
        }
    }

    @Test
    void servesTheJvmsAndTheApplicationsMetersInPrometheusTextFormat() throws Exception {
        Http.Response metrics = Http.get(app.uri("/metrics"));

        assertEquals(200, metrics.status(), metrics.body());
        assertTrue(type(metrics).startsWith("text/plain;version=0.0.4"), metrics.header("Content-Type"));
        assertAll(List.of("jvm_memory_used_bytes{area=\"heap\"", "jvm_gc_", "jvm_threads_live_threads",
                        "jvm_classes_loaded_classes", "process_cpu_usage",
                        "asyncprimer_responses_open{kind=\"stream\"}", "asyncprimer_responses_open{kind=\"fetch\"}",
                        "asyncprimer_responses_open{kind=\"dashboard\"}",
                        "asyncprimer_responses_open{kind=\"websocket-echo\"}",
                        "asyncprimer_responses_ended_total{kind=\"fetch\",outcome=\"timeout\"}",
                        "asyncprimer_scheduler_tasks", "asyncprimer_stream_lateness_seconds_bucket{le=\"0.001\"}")
                .stream().map(name -> () -> assertTrue(metrics.body().contains(name), name + " in /metrics")));
    }

    @Test
    void countsACompletedStreamAndHowLateItsMiddleAndEndWere() throws Exception {
        Map<String, Double> before = Scrape.of(app);

        Http.Streamed stream = Http.stream(app.uri("/stream?first=100&second=100"));
        assertEquals(List.of("START", "MIDDLE", "END"), stream.texts());

        assertEquals(before.get(STREAM_COMPLETED) + 1, Scrape.await(app, STREAM_COMPLETED,
                n -> n >= before.get(STREAM_COMPLETED) + 1));
        Map<String, Double> after = Scrape.of(app);
        assertEquals(before.get(LATENESS_COUNT) + 2, after.get(LATENESS_COUNT), "MIDDLE and END recorded");
        assertEquals(before.get(STREAM_GONE), after.get(STREAM_GONE));
    }

    @Test
    void countsAClientThatHangsUpMidStreamAsClientGone() throws Exception {
        double gone = Scrape.of(app).get(STREAM_GONE);
        try (RawClient client = RawClient.get(app.base(), "/stream?first=2000&second=60000", 0)) {
            client.readUntil("START");
            client.abort();
        }

        // The server notices at its next write, MIDDLE's, 2 s on: the client has hung up by then, even on a busy
        // machine (had MIDDLE gone out first, the next write would be END's, a minute later).
        assertEquals(gone + 1, Scrape.await(app, STREAM_GONE, n -> n >= gone + 1));
        assertEquals(0, app.awaitStatus("openStreams", n -> n == 0, Duration.ofSeconds(10)));
    }

    @Test
    void countsEchoSessionsAndTheirMessagesInAndOut() throws Exception {
        String in = "asyncprimer_websocket_messages_total{direction=\"in\",endpoint=\"echo\"}";
        String out = "asyncprimer_websocket_messages_total{direction=\"out\",endpoint=\"echo\"}";
        String completed = "asyncprimer_responses_ended_total{kind=\"websocket-echo\",outcome=\"completed\"}";
        Map<String, Double> before = Scrape.of(app);
        try (WsClient client = WsClient.open(app.base())) {
            for (String message : List.of("one", "two", "three")) {
                assertEquals("Your message was: '" + message + "'", client.roundTrip(message));
            }
            Map<String, Double> during = Scrape.of(app);
            assertEquals(1.0, during.get("asyncprimer_responses_open{kind=\"websocket-echo\"}"));
            assertEquals(before.get(in) + 3, during.get(in));
            assertEquals(before.get(out) + 3, during.get(out));
            assertEquals(1, app.status("openEchoSessions"));
        }
        assertEquals(before.get(completed) + 1, Scrape.await(app, completed, n -> n >= before.get(completed) + 1),
                "a close the client asked for (1000)");
        assertEquals(0, app.awaitStatus("openEchoSessions", n -> n == 0, Duration.ofSeconds(10)));
    }

    @Test
    void countsChatPublishesAndDeliveriesWithTheirLatency() throws Exception {
        String published = "asyncprimer_chat_published_total";
        String delivered = "asyncprimer_chat_delivered_total{transport=\"long-poll\"}";
        String latency = "asyncprimer_chat_delivery_latency_seconds_count{transport=\"long-poll\"}";
        String polled = "asyncprimer_responses_ended_total{kind=\"chat-longpoll\",outcome=\"completed\"}";
        String posted = "asyncprimer_responses_ended_total{kind=\"chat-publish\",outcome=\"completed\"}";
        Map<String, Double> before = Scrape.of(app);
        assertEquals(1.0, before.get("asyncprimer_chat_broker_connected{broker=\"memory\"}"));

        HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(app.uri("/chat/meters"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=alice&text=hi")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, post.statusCode(), post.body());
        Http.Response poll = Http.get(app.uri("/chat/meters?since=0-0"));
        assertTrue(poll.body().contains("\"text\":\"hi\""), poll.body());

        assertEquals(before.get(polled) + 1, Scrape.await(app, polled, n -> n >= before.get(polled) + 1));
        Map<String, Double> after = Scrape.of(app);
        assertEquals(before.get(published) + 1, after.get(published));
        assertEquals(before.get(delivered) + 1, after.get(delivered));
        assertEquals(before.get(latency) + 1, after.get(latency));
        assertEquals(before.get(posted) + 1, after.get(posted));
    }

    @Test
    void servesOpenMetricsWhenTheScraperAsksForIt() throws Exception {
        // What Prometheus 3 sends by default.
        Http.Response metrics = Http.get(app.uri("/metrics"), "Accept", "application/openmetrics-text;"
                + "version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;"
                + "q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1");

        assertEquals(200, metrics.status());
        assertTrue(type(metrics).startsWith("application/openmetrics-text;version=1.0.0"),
                metrics.header("Content-Type"));
        assertTrue(metrics.body().contains("asyncprimer_responses_ended_total{kind=\"stream\",outcome=\"completed\"}"),
                metrics.body());
        assertTrue(metrics.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
    }

    @Test
    void answersHeadWithTheHeadersAndOtherMethodsWith405() throws Exception {
        Http.Response head = Http.send("HEAD", app.uri("/metrics"));
        assertEquals(200, head.status());
        assertTrue(head.header("Content-Type").startsWith("text/plain"), head.header("Content-Type"));
        assertEquals(405, Http.send("POST", app.uri("/metrics")).status());
    }

    @Test
    void readsTheAllowListAndStillAnswersLoopbackWithIt() throws Exception {
        try (Deployment listed = Deployment.start(container, ServerOptions.defaults().withContextParams(
                Map.of(MetricsSettings.ALLOW, " 10.0.0.5, fe80::1 ,192.168.1.20")))) {
            assertEquals(200, Http.get(listed.uri("/metrics")).status());
        }
        // A name in the list could never match getRemoteAddr(): the deployment fails rather than run without it.
        assertThrows(Exception.class, () -> Deployment.start(container, ServerOptions.defaults()
                .withContextParams(Map.of(MetricsSettings.ALLOW, "prometheus.internal"))).close());
    }

    @Test
    void turnedOffEveryMeterIsANoOpAndThereIsNothingToRead() throws Exception {
        try (Deployment off = Deployment.start(container, ServerOptions.defaults()
                .withContextParams(Map.of(MetricsSettings.ENABLED, "false")))) {
            assertEquals(404, Http.get(off.uri("/metrics")).status());
            assertEquals(404, Http.get(off.uri("/status/stream")).status());
            assertEquals(List.of("START", "MIDDLE", "END"),
                    Http.stream(off.uri("/stream?first=0&second=0")).texts(), "the app runs as before");
        }
    }

    @Test
    void dashboardFeedSendsASampleEverySecondAndEndsWhenTheClientLeaves() throws Exception {
        double gone = Scrape.of(app).get("asyncprimer_responses_ended_total{kind=\"dashboard\",outcome=\"client_gone\"}");
        JsonNode first;
        try (RawClient client = RawClient.get(app.base(), "/status/stream", 0)) {
            String head = client.readUntil("\n\n");
            while (!head.contains("event: sample")) {
                head += client.readUntil("\n\n");
            }
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("content-type: text/event-stream"), head);
            first = JSON.readTree(head.substring(head.indexOf("data: ") + 6, head.lastIndexOf("\n\n")).trim());
            long at = System.nanoTime();
            client.readUntil("event: sample");
            long apart = (System.nanoTime() - at) / 1_000_000;
            assertTrue(apart > 500 && apart < 5000, "the second sample a second later: " + apart + " ms");
            assertEquals(1, app.status("openDashboards"));
            client.abort();
        }

        assertEquals(0, app.awaitStatus("openDashboards", n -> n == 0, Duration.ofSeconds(10)), "ended at its next write");
        assertEquals(gone + 1, Scrape.await(app, "asyncprimer_responses_ended_total{kind=\"dashboard\",outcome=\"client_gone\"}",
                n -> n >= gone + 1));
        assertEquals(1, first.path("held").path("dashboard").asInt(), first.toString());
        assertTrue(first.path("held").has("stream") && first.path("held").has("fetch"), first.toString());
        assertTrue(first.path("heap").path("used").asLong() > 0, first.toString());
        JsonNode threads = first.path("requestThreads");
        if (container.isJetty()) {
            assertEquals("unknown", threads.path("source").asText(), "Jetty's JMX is off in the tests");
        } else {
            assertTrue(threads.path("source").asText().startsWith("Tomcat JMX"), threads.toString());
            assertEquals(20, threads.path("max").asInt(), "the test server's pool: " + threads);
        }
    }

    @Test
    void dashboardFeedIsForTheSameClientsAsMetrics() throws Exception {
        Http.Response head = Http.send("HEAD", app.uri("/status/stream"));
        assertEquals(200, head.status());
        assertTrue(head.header("Content-Type").startsWith("text/event-stream"), head.header("Content-Type"));
        assertEquals(405, Http.send("POST", app.uri("/status/stream")).status());
        assertEquals(0, app.status("openDashboards"));
    }

    /** The Content-Type as the containers differ in spelling it: Tomcat drops the blanks after ';'. */
    private static String type(Http.Response response) {
        return response.header("Content-Type").replace(" ", "");
    }

    /** /metrics read into a map of series (name and labels as printed) to value. */
    static final class Scrape {

        static Map<String, Double> of(Deployment app) throws IOException {
            Http.Response metrics = Http.get(app.uri("/metrics"));
            assertEquals(200, metrics.status(), metrics.body());
            Map<String, Double> series = new java.util.HashMap<>();
            for (String line : metrics.body().split("\n")) {
                int space = line.lastIndexOf(' ');
                if (!line.startsWith("#") && space > 0) {
                    series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
                }
            }
            return new SeriesMap(series);
        }

        /** Polls /metrics until the series satisfies the condition or 10 s pass; returns the last value. */
        static double await(Deployment app, String name, DoublePredicate condition) throws Exception {
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            double value = of(app).get(name);
            while (!condition.test(value) && System.nanoTime() < end) {
                Thread.sleep(20); // polling interval; the loop checks the outcome
                value = of(app).get(name);
            }
            return value;
        }
    }

    /** A missing series fails the test by name instead of a NullPointerException. */
    private static final class SeriesMap extends java.util.HashMap<String, Double> {
        private static final long serialVersionUID = 1L;

        SeriesMap(Map<String, Double> series) {
            super(series);
        }

        @Override
        public Double get(Object name) {
            Double value = super.get(name);
            if (value == null) {
                throw new AssertionError("/metrics has no series " + name + "; it has " + keySet().stream()
                        .filter(k -> k.startsWith("asyncprimer")).sorted().toList());
            }
            return value;
        }
    }
}
