package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.it.Container;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.Nginx;
import org.asyncprimer.it.RedisServer;
import org.asyncprimer.it.ServerOptions;
import org.asyncprimer.it.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chat on two nodes that share one Redis ({@code asyncprimer.chat.redis}), one a Tomcat 11 and one a Jetty 12,
 * and behind nginx with the shipped config: clients of every transport on either node hear every message published
 * on either, in one order; a client that moves to the other node resumes from its last id; Redis going away and
 * coming back costs no acknowledged message and delivers none twice while publishing answers 503 and /status
 * says so; and through nginx, which sends each request to the other node, the page's three ways of reading work.
 */
class ChatAcrossNodesIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static RedisServer redis;
    private static Deployment tomcat;
    private static Deployment jetty;
    private static Nginx nginx;

    private final ExecutorService clients = Executors.newCachedThreadPool();
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Container.assumeRunning(Container.TOMCAT_11, Container.JETTY_12);
        redis = RedisServer.start();
        ServerOptions options = ServerOptions.defaults().withContextParams(Map.of("asyncprimer.chat.redis", redis.url()));
        tomcat = Deployment.start(Container.TOMCAT_11, options);
        jetty = Deployment.start(Container.JETTY_12, options);
        for (Deployment node : List.of(tomcat, jetty)) {
            assertEquals(1, node.awaitStatus("chatBrokerConnected", n -> n == 1, WAIT), node.container() + " connects");
        }
        nginx = Nginx.start(List.of(tomcat.base(), jetty.base()));
    }

    @AfterAll
    static void stop() throws Exception {
        // Closed last to first: the nodes (whose undeploy checks for leaks), then nginx, then Redis.
        try (RedisServer r = redis; Nginx n = nginx; Deployment t = tomcat; Deployment j = jetty) {
            // nothing but closing them
        }
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable client : open) {
            client.close();
        }
        clients.shutdownNow();
    }

    @Test
    void clientsOfEveryTransportOnEitherNodeGetEveryMessagePublishedOnEitherInOneOrder() throws Exception {
        String room = "everyone";
        List<Reader> readers = new ArrayList<>();
        for (Deployment node : List.of(tomcat, jetty)) {
            readers.add(sse(node.base(), room));
            readers.add(socket(node.base(), room));
            readers.add(pollLoop(node.base(), room));
        }
        // Each reads from 0-0: it gets every message whenever it starts.
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(publish(i % 2 == 0 ? tomcat.base() : jetty.base(), room, "m" + i));
        }
        assertEquals(sent, history(jetty.base(), room, sent.size()), "the stream's order is the publishing order");
        for (Reader reader : readers) {
            assertEquals(sent, reader.ids(sent.size()), reader.toString());
        }
    }

    @Test
    void aClientThatMovesToTheOtherNodeResumesFromItsLastIdWithoutLossOrDuplicate() throws Exception {
        String room = "moving";
        List<String> sent = new ArrayList<>();
        EventStream onTomcat = EventStream.open(roomUri(tomcat.base(), room, "since=0-0"));
        open.add(onTomcat);
        WsClient socketOnTomcat = WsClient.connect(tomcat.base(), "/chat/" + room + "/socket?since=0-0", null)
                .get(10, TimeUnit.SECONDS);
        open.add(socketOnTomcat);
        Reader socketReader = socket(socketOnTomcat, tomcat.base());
        for (int i = 0; i < 5; i++) {
            sent.add(publish(jetty.base(), room, "m" + i));
        }
        assertEquals(sent, onTomcat.ids(5, WAIT));
        assertEquals(sent, socketReader.ids(5));
        // The clients' connections drop; each reconnects to the other node with its last id.
        onTomcat.close();
        socketOnTomcat.close();

        for (int i = 5; i < 10; i++) {
            sent.add(publish(tomcat.base(), room, "m" + i));
        }
        EventStream onJetty = EventStream.open(roomUri(jetty.base(), room, ""), "Last-Event-ID", sent.get(4));
        open.add(onJetty);
        Reader socketOnJetty = socket(jetty.base(), room, sent.get(4), null);
        for (int i = 10; i < 15; i++) {
            sent.add(publish(i % 2 == 0 ? tomcat.base() : jetty.base(), room, "m" + i));
        }
        assertEquals(sent.subList(5, 15), onJetty.ids(10, WAIT));
        assertEquals(null, onJetty.poll(Duration.ofMillis(300)), "nothing more, nothing twice");
        assertEquals(sent.subList(5, 15), socketOnJetty.ids(10), "the WebSocket too, nothing more, nothing twice");
        // The long-poll too: the answer on one node after the last id the other gave.
        assertEquals(sent.subList(8, 15), ChatHttp.get(roomUri(jetty.base(), room, "since=" + sent.get(7))).ids());
    }

    @Test
    void redisStoppedAndRestartedMidConversationLosesNothingAcknowledgedAndAnswers503Meanwhile() throws Exception {
        String room = "outage";
        List<Reader> readers = new ArrayList<>();
        for (Deployment node : List.of(tomcat, jetty)) {
            readers.add(sse(node.base(), room));
            readers.add(socket(node.base(), room));
            readers.add(pollLoop(node.base(), room));
        }
        // Only when Redis writes what it acknowledges to disk before it answers is a loss below the broker's.
        assertTrue(redis.command("CONFIG", "GET", "appendfsync").contains("always"), "Redis fsyncs every write");
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            acknowledged.add(publish(i % 2 == 0 ? tomcat.base() : jetty.base(), room, "before " + i));
        }
        for (Reader reader : readers) {
            assertEquals(acknowledged, reader.ids(5), reader.toString());
        }

        redis.kill();
        for (Deployment node : List.of(tomcat, jetty)) {
            assertEquals(0, node.awaitStatus("chatBrokerConnected", n -> n == 0, WAIT), "/status says so");
            long start = System.nanoTime();
            ChatHttp.Reply refused = post(node.base(), room, "during the outage");
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(503, refused.status(), refused.body());
            assertNotNull(refused.header("Retry-After"), "503 says when to try again");
            // Bounded, not a hang: the command timeout is 2 s, and a busy machine adds to it.
            assertTrue(tookMs < 10_000, "answered in bounded time, took " + tookMs + " ms");
        }
        // Redis stays away a while. The streams and sockets stay open meanwhile: each reader reads on below on the
        // connection it has (none of them reconnects), and the poll loops keep asking.
        Thread.sleep(1000);

        redis.restart();
        for (Deployment node : List.of(tomcat, jetty)) {
            assertEquals(1, node.awaitStatus("chatBrokerConnected", n -> n == 1, WAIT), "reconnects by itself");
        }
        for (int i = 0; i < 5; i++) {
            acknowledged.add(publish(i % 2 == 0 ? jetty.base() : tomcat.base(), room, "after " + i));
        }

        assertEquals(acknowledged, history(tomcat.base(), room, acknowledged.size()),
                "Redis kept what it acknowledged, and only that");
        for (Reader reader : readers) {
            assertEquals(acknowledged, reader.ids(acknowledged.size()), reader.toString());
        }
    }

    @Test
    void throughNginxTheLongPollLoopServerSentEventsAndWebSocketWork() throws Exception {
        String room = "proxied";
        URI proxy = nginx.base();
        String origin = "http://127.0.0.1:" + proxy.getPort(); // the page's own origin, as a browser sends it
        List<Reader> readers = List.of(sse(proxy, room), socket(proxy, room, origin), pollLoop(proxy, room));

        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sent.add(publish(proxy, room, "m" + i)); // each POST to the other node, in turn
        }
        for (Reader reader : readers) {
            assertEquals(sent, reader.ids(sent.size()), reader.toString());
        }
        // Clients that reconnect with their last id, to whichever node nginx picks, get the rest, once.
        EventStream resumed = EventStream.open(roomUri(proxy, room, ""), "Last-Event-ID", sent.get(4));
        open.add(resumed);
        assertEquals(sent.subList(5, 10), resumed.ids(5, WAIT), "Server-Sent Events resumed through nginx");
        assertEquals(null, resumed.poll(Duration.ofMillis(300)), "nothing more, nothing twice");
        Reader socketResumed = socket(proxy, room, sent.get(6), origin);
        assertEquals(sent.subList(7, 10), socketResumed.ids(3), "WebSocket resumed through nginx");
    }

    /**
     * A client reading a room: every id it has got so far, in order, once it has at least {@code count} (or the
     * wait is over), and after a moment in which a duplicate would have come.
     */
    private interface Reader {
        List<String> ids(int count) throws Exception;
    }

    private Reader sse(URI base, String room) throws Exception {
        EventStream stream = EventStream.open(roomUri(base, room, "since=0-0"));
        open.add(stream);
        List<String> got = new ArrayList<>();
        return new Reader() {
            @Override
            public List<String> ids(int count) throws Exception {
                for (;;) {
                    EventStream.Event event = stream.poll(got.size() < count ? WAIT : Duration.ofMillis(100));
                    if (event == null) {
                        break;
                    }
                    got.add(event.event() + " " + event.id());
                }
                return got.stream().map(event -> event.startsWith("message ") ? event.substring(8) : event).toList();
            }

            @Override
            public String toString() {
                return "Server-Sent Events on " + base;
            }
        };
    }

    private Reader socket(URI base, String room) throws Exception {
        return socket(base, room, "0-0", null);
    }

    private Reader socket(URI base, String room, String origin) throws Exception {
        return socket(base, room, "0-0", origin);
    }

    private Reader socket(URI base, String room, String since, String origin) throws Exception {
        WsClient client = WsClient.connect(base, "/chat/" + room + "/socket?since=" + since, origin)
                .get(10, TimeUnit.SECONDS);
        open.add(client);
        return socket(client, base);
    }

    private static Reader socket(WsClient client, URI base) {
        List<String> got = new ArrayList<>();
        return new Reader() {
            @Override
            public List<String> ids(int count) throws Exception {
                for (;;) {
                    String reply = client.nextReply(got.size() < count ? WAIT : Duration.ofMillis(100));
                    if (reply == null) {
                        break;
                    }
                    got.add(ChatHttp.JSON.readTree(reply).path("id").asText(reply));
                }
                return List.copyOf(got);
            }

            @Override
            public String toString() {
                return "WebSocket on " + base;
            }
        };
    }

    /**
     * The page's long-poll loop: GET after the last id it has, again as soon as an answer comes (204: nothing
     * came in time; 503: the chat is away, so after a pause), until it has been asked to stop.
     */
    private Reader pollLoop(URI base, String room) {
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> {
            String since = "0-0";
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    ChatHttp.Reply reply = ChatHttp.get(roomUri(base, room, "since=" + since + "&timeout=5000"));
                    if (reply.status() == 200) {
                        List<String> got = reply.ids();
                        ids.addAll(got);
                        since = got.get(got.size() - 1);
                    } else if (reply.status() == 503) {
                        Thread.sleep(200); // as the page does: the chat is away for now
                    } else if (reply.status() != 204) {
                        throw new AssertionError("poll answered " + reply.status() + ": " + reply.body());
                    }
                } catch (InterruptedException stop) {
                    return;
                } catch (Exception e) {
                    throw new AssertionError("poll on " + base + " failed", e);
                }
            }
        }, clients);
        return new Reader() {
            @Override
            public List<String> ids(int count) throws Exception {
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (ids.size() < count && !loop.isDone() && System.nanoTime() < deadline) {
                    Thread.sleep(20); // polling interval; the loop checks the outcome
                }
                if (loop.isCompletedExceptionally()) {
                    loop.join();
                }
                Thread.sleep(100); // a duplicate would come at once
                synchronized (ids) {
                    return List.copyOf(ids);
                }
            }

            @Override
            public String toString() {
                return "long-poll loop on " + base;
            }
        };
    }

    private static URI roomUri(URI base, String room, String query) {
        return base.resolve("/chat/" + room + (query.isEmpty() ? "" : "?" + query));
    }

    private static ChatHttp.Reply post(URI base, String room, String text) throws Exception {
        return ChatHttp.post(roomUri(base, room, ""), "application/x-www-form-urlencoded",
                "name=alice&text=" + URLEncoder.encode(text, StandardCharsets.UTF_8));
    }

    /** Publishes and returns the new message's id. */
    private static String publish(URI base, String room, String text) throws Exception {
        ChatHttp.Reply reply = post(base, room, text);
        assertEquals(201, reply.status(), reply.body());
        return ChatHttp.JSON.readTree(reply.body()).get("id").asText();
    }

    /**
     * Every message of the room, as a long-poll from the start reads it on that node, once it has at least
     * {@code expected}: a node hears of a message published on the other one a moment later (its reader's next
     * turn), and a poll answers with what the node has at that moment.
     */
    private static List<String> history(URI base, String room, int expected) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> ids = ChatHttp.get(roomUri(base, room, "since=0-0&limit=1000")).ids();
        while (ids.size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20); // polling interval; the loop checks the outcome
            ids = ChatHttp.get(roomUri(base, room, "since=0-0&limit=1000")).ids();
        }
        return ids;
    }
}
