package org.asyncprimer.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.asyncprimer.it.Container;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.ServerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Why HTTP/2 matters to a page of streams, in a real browser: many.html opens 12 /stream EventSources at once.
 * Over HTTP/1.1 Chromium keeps at most 6 connections per host, so only 6 streams run at a time; over HTTP/2 (TLS,
 * as browsers speak it) all 12 share one connection and start together.
 */
class ManyStreamsBrowserIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int N = 12;
    private static final String PAGE = "/many.html?n=" + N + "&first=2000&second=2000";

    /** One stream as the page saw it: ms since the page opened the streams. */
    private record Stream(long start, long end) {
    }

    private static Deployment plain;
    private static Deployment secure;

    @BeforeAll
    static void deploy() throws Exception {
        plain = Deployment.start(Container.TOMCAT_11);
        secure = Deployment.start(Container.TOMCAT_11, ServerOptions.defaults().withTls());
    }

    @AfterAll
    static void undeploy() throws Exception {
        for (Deployment app : new Deployment[] {plain, secure}) {
            if (app != null) {
                app.stop();
            }
        }
    }

    @Test
    void overHttp2AllTwelveStreamsStartAtOnce() throws Exception {
        try (Browser browser = Browser.launch("--ignore-certificate-errors")) {
            JsonNode state = open(browser, secure.uri(PAGE).toString(), "many-streams-h2");

            assertEquals("h2", state.get("protocol").asText(), "the page came over HTTP/2");
            List<Stream> streams = streams(state);
            long lastStart = streams.stream().mapToLong(Stream::start).max().orElseThrow();
            // A browser that ran only six at once would START the seventh after the first END, 4 s in.
            assertTrue(lastStart < 2000, "all " + N + " START within 2 s of opening: " + streams);
            assertEquals(N, mostAtOnce(streams), "all running at once: " + streams);
        }
    }

    @Test
    void overHttp11OnlySixStreamsRunAtATime() throws Exception {
        try (Browser browser = Browser.launch()) {
            JsonNode state = open(browser, plain.uri(PAGE).toString(), "many-streams-http11");

            assertEquals("http/1.1", state.get("protocol").asText(), "the page came over HTTP/1.1");
            List<Stream> streams = new ArrayList<>(streams(state));
            streams.sort(Comparator.comparingLong(Stream::start));
            long firstEnd = streams.subList(0, 6).stream().mapToLong(Stream::end).min().orElseThrow();
            assertTrue(streams.get(5).start() < 2000, "six START at once: " + streams);
            assertTrue(streams.get(6).start() >= firstEnd,
                    "the 7th START only after one of the first six ENDed (" + firstEnd + " ms): " + streams);
            assertEquals(6, mostAtOnce(streams), "never more than 6 running: " + streams);
        }
    }

    /** Opens the page, waits until every stream ended, takes a screenshot and returns window.manyState. */
    private static JsonNode open(Browser browser, String url, String screenshot) throws Exception {
        browser.driver().get(url);
        boolean ended = Browser.waitFor(() -> {
            JsonNode state = state(browser);
            return state != null && state.get("ended").asInt() + state.get("failed").asInt() == N;
        }, Duration.ofSeconds(30));
        browser.screenshot(screenshot);
        JsonNode state = state(browser);
        assertTrue(ended, "every stream ended: " + state);
        assertEquals(0, state.get("failed").asInt(), "no stream failed: " + state);
        return state;
    }

    private static JsonNode state(Browser browser) {
        Object json = browser.driver().executeScript("return JSON.stringify(window.manyState || null)");
        try {
            JsonNode state = JSON.readTree(String.valueOf(json));
            return state.isNull() ? null : state;
        } catch (java.io.IOException e) {
            throw new AssertionError("window.manyState is not JSON: " + json, e);
        }
    }

    private static List<Stream> streams(JsonNode state) {
        List<Stream> streams = new ArrayList<>();
        state.get("streams").forEach(s -> streams.add(new Stream(s.get("start").asLong(), s.get("end").asLong())));
        assertEquals(N, streams.size());
        return streams;
    }

    /** The most streams between their START and END at one moment. */
    private static int mostAtOnce(List<Stream> streams) {
        int most = 0;
        for (Stream s : streams) {
            long t = s.start();
            most = Math.max(most, (int) streams.stream().filter(o -> o.start() <= t && t < o.end()).count());
        }
        return most;
    }
}
