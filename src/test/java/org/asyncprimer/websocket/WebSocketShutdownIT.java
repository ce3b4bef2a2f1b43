package org.asyncprimer.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.asyncprimer.it.Container;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.OnEveryContainer;
import org.asyncprimer.it.RawClient;
import org.asyncprimer.it.RawWebSocket;
import org.asyncprimer.it.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

/**
 * The server stops while WebSocket sessions are open, one of them with a reply stuck behind a client that does not
 * read: every session ends, the stop does not wait on the stuck one, and the application leaves no thread behind.
 */
@OnEveryContainer
class WebSocketShutdownIT {

    /** 64 KiB, answered with 128 KiB; 40 of them stick a send on every container (WebSocketSlowReaderIT). */
    private static final byte[] MESSAGE = "\n".repeat(65_536).getBytes(StandardCharsets.US_ASCII);

    @Parameter
    Container container;

    @Test
    void closesOpenSessionsAndLeavesNoThreadBehind() throws Exception {
        Deployment app = Deployment.start(container);
        List<WsClient> clients = new ArrayList<>();
        RawWebSocket stuck = RawWebSocket.open(app.base(), 4096);
        // An open /stream waits on the app's scheduler: the app has a thread of its own to stop.
        RawClient stream = RawClient.get(app.base(), "/stream?first=60000&second=60000", 0);
        try {
            stream.readUntil("START");
            for (int i = 0; i < 3; i++) {
                clients.add(WsClient.open(app.base()));
                assertEquals("Your message was: 'hi'", clients.get(i).roundTrip("hi"));
            }
            for (int i = 0; i < 40; i++) {
                stuck.send(0x2, MESSAGE, true);
            }
            assertTrue(!appThreads().isEmpty(), "the app's scheduler runs");

            long start = System.nanoTime();
            app.stop();
            long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertTrue(stopMs < 15_000, "the stop took " + stopMs + " ms");
            assertEquals(Set.of(), appThreads(), "threads of the undeployed app");
            for (WsClient client : clients) {
                if (container.name().startsWith("TOMCAT")) {
                    // Tomcat closes every session of a stopping application with a close frame.
                    assertEquals(new WsClient.Close(1001, "The web application is stopping"), client.awaitClose(10));
                } else {
                    // Jetty, stopped without a grace period (JettyServer's stop timeout 0), drops the connections:
                    // the JDK client reports 1006, closed abnormally, for a close frame it never got.
                    int code = client.awaitClose(10).code();
                    if (container == Container.JETTY_9_4) {
                        // Jetty 9.4 gets a close frame out first, one without a status code (1005, "no status"),
                        // when its stop beats the connection's teardown; else the connection just drops (1006).
                        assertTrue(code == 1005 || code == 1006, "close code " + code);
                    } else {
                        assertEquals(1006, code);
                    }
                }
            }
            // The session that does not read ends too (a read timeout here would mean it was left open): with 1008 if
            // its own overflow closed it before the stop, else without a close frame. Tomcat's 1001 waits for the
            // reply in flight (BlockingSends.TIMEOUT_MS), then Tomcat drops the connection.
            RawWebSocket.Ending ending = stuck.readToClose();
            assertTrue(ending.closeCode() == -1 || ending.closeCode() == 1008, "the stuck session: " + ending);
        } finally {
            clients.forEach(WsClient::close);
            stuck.close();
            stream.close();
            app.stop();
        }
    }

    /** The threads this application names as its own. */
    private static Set<Thread> appThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("async-primer")).collect(Collectors.toSet());
    }
}
