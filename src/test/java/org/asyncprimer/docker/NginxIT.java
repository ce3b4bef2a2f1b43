package org.asyncprimer.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.it.Container;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.Http;
import org.asyncprimer.it.Nginx;
import org.asyncprimer.it.RawClient;
import org.asyncprimer.it.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code docker/nginx.conf}, run by Debian's nginx in front of two nodes (Tomcat 11 and Jetty 12), as
 * {@code docker/compose.yaml} runs it: it starts, proxies to the nodes in turn, passes streamed answers on as
 * they come, and upgrades WebSockets with the browser's host, so the origin check still passes.
 */
class NginxIT {

    private static Deployment tomcat;
    private static Deployment jetty;
    private static Nginx nginx;

    @BeforeAll
    static void start() throws Exception {
        Container.assumeRunning(Container.TOMCAT_11, Container.JETTY_12);
        tomcat = Deployment.start(Container.TOMCAT_11);
        jetty = Deployment.start(Container.JETTY_12);
        nginx = Nginx.start(List.of(tomcat.base(), jetty.base()));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (nginx != null) {
                nginx.close();
            }
        } finally {
            if (tomcat != null) {
                tomcat.close();
            }
            if (jetty != null) {
                jetty.close();
            }
        }
    }

    private static URI via(String path) {
        return nginx.base().resolve(path);
    }

    @Test
    void proxiesStatusFromTheNodes() throws Exception {
        Http.Response status = Http.get(via("/status"));
        assertEquals(200, status.status(), nginx.output());
        assertTrue(status.body().startsWith("{\"openStreams\":"), status.body());
    }

    @Test
    void sendsStreamsToEachNodeInTurnAndPassesTheirChunksOnAsTheyCome() throws Exception {
        URI stream = via("/stream?first=1500&second=300");
        CompletableFuture<Http.Streamed> first = CompletableFuture.supplyAsync(() -> get(stream));
        await(() -> tomcat.status("openStreams") + jetty.status("openStreams") == 1);
        CompletableFuture<Http.Streamed> second = CompletableFuture.supplyAsync(() -> get(stream));
        await(() -> tomcat.status("openStreams") == 1 && jetty.status("openStreams") == 1);

        for (Http.Streamed response : List.of(first.get(30, TimeUnit.SECONDS), second.get(30, TimeUnit.SECONDS))) {
            assertEquals(List.of("START", "MIDDLE", "END"), response.texts());
            long start = response.lines().get(0).atMillis();
            long middle = response.lines().get(1).atMillis();
            assertTrue(middle - start >= 1000, "START came " + (middle - start) + " ms before MIDDLE: not buffered");
        }
    }

    @Test
    void aClientThatStopsReadingPausesTheNodesProducerInsteadOfNginxReadingAhead() throws Exception {
        // 64 MB as fast as the node can, to a client that never reads: a buffering proxy would read it all into its
        // temp files (up to 1 GB) and the node would never see a slow client; unbuffered, the node's worker pauses.
        try (RawClient client = RawClient.get(nginx.base(), "/fetch?count=1000&interval=0&pad=65536", 4096)) {
            await(() -> tomcat.status("pausedFetchWorkers") + jetty.status("pausedFetchWorkers") == 1);
        }
        await(() -> tomcat.status("openFetches") + jetty.status("openFetches") == 0);
    }

    @Test
    void upgradesWebSocketsAndForwardsTheHostForTheOriginCheck() throws Exception {
        String origin = "http://127.0.0.1:" + nginx.base().getPort();
        for (int i = 0; i < 2; i++) { // once on each node
            try (WsClient client = WsClient.connect(nginx.base(), origin).get(10, TimeUnit.SECONDS)) {
                assertEquals("Your message was: 'Hello, world'", client.roundTrip("Hello, world"));
            }
        }
    }

    private static Http.Streamed get(URI uri) {
        try {
            return Http.stream(uri);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!check.holds()) {
            assertTrue(System.nanoTime() < deadline, "not within 20 s; nginx said: " + nginx.output());
            Thread.sleep(20); // polling interval; the loop checks the outcome
        }
    }
}
