package org.asyncprimer.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.it.Container;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.Http;
import org.asyncprimer.it.OnEveryContainer;
import org.asyncprimer.it.RawWebSocket;
import org.asyncprimer.it.RawWebSocket.Ending;
import org.asyncprimer.it.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * Clients that send without reading their replies, more of them than the server has request threads: the server
 * must spend no thread waiting on them, and must tell them why it closes. Each is a raw socket with a small
 * receive buffer that sends the largest message, 64 KiB of newline bytes, whose reply is twice that
 * ({@code bytearray(b'\n\n...')}), so that the server's sends really get stuck.
 */
@OnEveryContainer
class WebSocketSlowReaderIT {

    /** More clients than the server's 20 request threads ({@link ServerOptions#defaults()}). */
    private static final int CLIENTS = 25;
    private static final byte[] MESSAGE = "\n".repeat(65_536).getBytes(StandardCharsets.US_ASCII);
    private static final int REPLY_BYTES = "Your message was: bytearray(b'')".length() + 2 * 65_536;
    /**
     * Enough to stick a send and then overflow what may wait behind it everywhere. Here, a send sticks after 0.1 to
     * 2 MB on Tomcat and about 3 MB on Jetty (Linux grows a loopback socket's send buffer up to {@code tcp_wmem}'s
     * 4 MB): 4 MB is 32 replies; of 128 KiB characters each, two may wait (Replies.MAX_WAITING_CHARS), and the rest
     * are to spare.
     */
    private static final int MESSAGES = 64;
    private static final long PACE_MS = 50;
    /**
     * Every /status during the flood must answer within this. A held thread shows as an answer of HOLD_MS or more;
     * a busy two-core machine alone (flood, GC, the test's own 25 clients) has taken 1.1 s at the flood's start,
     * once 3.2 s (a full verify, nothing else running), and once 4.6 s (the first /status of the class's first test
     * on Tomcat 11 in a clean-clone CI run; the next took 0.8 s).
     */
    private static final long STATUS_MS = 6000;
    /** How long the clients hold off reading once all have flooded the server: twice STATUS_MS. */
    private static final long HOLD_MS = 12000;

    @Parameter
    Container container;

    private Deployment app;

    @BeforeParameterizedClassInvocation
    void deploy() throws Exception {
        // A long send timeout: a client still sending on a busy machine is closed by the queue limit, not the clock.
        app = Deployment.start(container, ServerOptions.defaults()
                .withContextParams(Map.of("asyncprimer.websocket.sendTimeoutMs", "60000")));
        // Loaded and compiled code, an initialised /status servlet: the latencies below measure the flood, not a
        // cold start.
        try (RawWebSocket warmUp = RawWebSocket.open(app.base())) {
            for (int i = 0; i < 20; i++) {
                warmUp.send(0x2, MESSAGE, true);
                assertEquals(REPLY_BYTES, warmUp.readMessage().length);
            }
        }
        assertEquals(200, Http.get(app.uri("/status")).status());
    }

    @AfterParameterizedClassInvocation
    void undeploy() throws Exception {
        if (app != null) {
            app.stop();
        }
    }

    @Test
    void closesEveryClientThatDoesNotReadWith1008AndKeepsAnsweringOthers() throws Exception {
        for (Ending ending : floodThenRead(ws -> { })) {
            assertEquals(1008, ending.closeCode(), "how the session ended: " + ending);
        }
    }

    @Test
    void aClientThatClosesWithoutReadingHoldsNoRequestThread() throws Exception {
        // Tomcat echoes the client's close with a blocking send on the thread that read it, and the send waits for
        // the reply in flight first: a thread held for as long as the client does not read, up to Tomcat's 20 s
        // blocking-send timeout, unless EchoEndpoint shortens it. (A ping takes the same path, for the pong.)
        List<Ending> endings = floodThenRead(ws -> ws.send(0x8, new byte[] {0x03, (byte) 0xe8}, true)); // 1000

        for (Ending ending : endings) {
            // 1008 when the server read the client's close only after the client began to read: the server's own
            // close, sent once the reply in flight was taken, got there first.
            if (container.name().startsWith("TOMCAT")) {
                // The echo gives up on the stuck reply after BlockingSends.TIMEOUT_MS, and Tomcat then
                // drops the connection without a close frame.
                assertTrue(ending.closeCode() == -1 || ending.closeCode() == 1008, "Tomcat: " + ending);
            } else {
                // Jetty queues the echo behind what is in flight and never blocks a thread on it.
                assertTrue(ending.closeCode() == 1000 || ending.closeCode() == 1008, "Jetty: " + ending);
            }
        }
    }

    @Test
    void aClientThatDoesNotReadPinsNoMoreThanOneLargeReplyWaiting() throws Exception {
        // Each zero byte is quoted as \x00: the reply is four times the message. 16 such replies waiting behind a
        // stuck one held 4 MB a client, a few hundred such clients the run command's whole heap.
        byte[] unprintable = new byte[65_536];
        long reply = "Your message was: bytearray(b'')".length() + 4L * unprintable.length;
        long mostWaiting = 0;
        try (RawWebSocket ws = RawWebSocket.open(app.base(), 4096)) {
            // Enough to stick a send and then to fill what may wait behind it: 120 replies are 31 MB, where a loopback
            // connection's buffers hold at most ~10 MB (tcp_wmem's 4 MB, tcp_rmem's 6 MB); 48 got through on Jetty
            // once, all taken by the buffers. The messages, 7.5 MB, fit them whether the server reads on or not.
            for (int i = 0; i < 120; i++) {
                ws.send(0x2, unprintable, true);
                mostWaiting = Math.max(mostWaiting, app.status("queuedEchoChars"));
            }
            assertTrue(mostWaiting <= reply, "at most one reply of " + reply + " characters waits, not "
                    + mostWaiting);
            assertEquals(1008, ws.readToClose().closeCode());
        }
        assertEquals(0, app.awaitStatus("openEchoSessions", n -> n == 0, Duration.ofSeconds(10)));
    }

    /**
     * Sends the messages without reading, one every {@link #PACE_MS}: 25 clients sending without a pause keep all
     * 20 threads busy (working, not blocked) for seconds on a loaded two-core machine, which is not what this
     * measures.
     */
    private static void flood(RawWebSocket ws) throws IOException, InterruptedException {
        for (int i = 0; i < MESSAGES; i++) {
            ws.send(0x2, MESSAGE, true);
            Thread.sleep(PACE_MS); // the client's sending rate, not a wait for an outcome
        }
    }

    /**
     * Every client floods the server and then does {@code then}; none reads until all are done and /status has been
     * polled for {@link #HOLD_MS} more, so a thread the server spends waiting on a stuck send stays spent meanwhile.
     * Then each reads to the end. Polls /status every 20 ms from start to end, asserting each answer's latency.
     */
    private List<Ending> floodThenRead(ClientStep then) throws Exception {
        List<RawWebSocket> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(RawWebSocket.open(app.base(), 4096)); // a small TCP window from the start
        }
        CountDownLatch flooded = new CountDownLatch(CLIENTS);
        CountDownLatch read = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Ending>> endings = new ArrayList<>();
            for (RawWebSocket ws : clients) {
                endings.add(threads.submit(() -> {
                    try (ws) {
                        try {
                            flood(ws);
                            then.run(ws);
                        } catch (IOException hungUp) {
                            // The assertions on what the client reads next decide whether the server was allowed to.
                        } finally {
                            flooded.countDown();
                        }
                        assertTrue(read.await(60, TimeUnit.SECONDS));
                        return ws.readToClose();
                    }
                }));
            }
            URI status = app.uri("/status");
            List<Long> latencies = new ArrayList<>();
            long readAt = Long.MAX_VALUE;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (endings.stream().anyMatch(e -> !e.isDone()) && System.nanoTime() < deadline) {
                long start = System.nanoTime();
                assertEquals(200, Http.get(status).status());
                latencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                if (flooded.getCount() == 0 && readAt == Long.MAX_VALUE) {
                    readAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HOLD_MS);
                }
                if (System.nanoTime() > readAt) {
                    read.countDown();
                }
                Thread.sleep(20); // polling interval, not a wait for an outcome: the loop checks the outcome
            }
            long slowest = latencies.stream().mapToLong(Long::longValue).max().orElseThrow();
            assertTrue(slowest < STATUS_MS, "GET /status took " + slowest + " ms during the flood: " + latencies);
            List<Ending> result = new ArrayList<>();
            for (Future<Ending> ending : endings) {
                result.add(ending.get(1, TimeUnit.SECONDS));
            }
            return result;
        } finally {
            threads.shutdownNow();
        }
    }

    /** What a client does after its flood. */
    private interface ClientStep {
        void run(RawWebSocket ws) throws IOException;
    }
}
