package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.it.Container;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.OnEveryContainer;
import org.asyncprimer.it.RawClient;
import org.asyncprimer.it.ServerOptions;
import org.asyncprimer.it.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * Issue #11's promise across all three transports: a client that reconnects and resumes after its last id gets
 * every message exactly once while the history holds it; and when the server stops, every chat client is ended.
 */
@OnEveryContainer
class ChatResumeIT {

    private static final int MESSAGES = 60;
    /** Each reader leaves after this many messages and reconnects: ten reconnects in a run. */
    private static final int PER_CONNECTION = 6;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Parameter
    Container container;

    private Deployment app;

    @BeforeParameterizedClassInvocation
    void deploy() throws Exception {
        app = Deployment.start(container, ServerOptions.defaults().withContextParams(Map.of(
                "asyncprimer.chat.history", "200",
                "asyncprimer.chat.heartbeatMs", "200")));
    }

    @AfterParameterizedClassInvocation
    void undeploy() throws Exception {
        if (app != null) {
            app.stop();
        }
    }

    @Test
    void everyTransportGetsEachMessageOnceAcrossReconnectsWhilePublishingGoesOn() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            Future<List<String>> polled = clients.submit(this::pollAll);
            Future<List<String>> streamed = clients.submit(this::streamAll);
            Future<List<String>> socketed = clients.submit(this::socketAll);
            Future<List<String>> published = clients.submit(() -> {
                List<String> ids = new ArrayList<>();
                for (int i = 1; i <= MESSAGES; i++) {
                    ids.add(ChatHttp.publish(app, "resume", "alice", "message " + i));
                    Thread.sleep(10); // pacing, so that reconnects fall between publishes and during them
                }
                return ids;
            });

            List<String> ids = published.get(60, TimeUnit.SECONDS);
            assertEquals(ids, polled.get(60, TimeUnit.SECONDS), "long-poll");
            assertEquals(ids, streamed.get(60, TimeUnit.SECONDS), "Server-Sent Events");
            assertEquals(ids, socketed.get(60, TimeUnit.SECONDS), "WebSocket");
        } finally {
            clients.shutdownNow();
        }
        for (String kind : List.of("openChatPolls", "openChatStreams", "openChatSockets", "chatSubscribers")) {
            assertEquals(0, app.awaitStatus(kind, n -> n == 0, WAIT), kind + " after every client left");
        }
    }

    /** Long-polls with a small limit, each poll resuming after the last id of the one before. */
    private List<String> pollAll() throws Exception {
        List<String> got = new ArrayList<>();
        while (got.size() < MESSAGES) {
            String since = got.isEmpty() ? "0-0" : got.get(got.size() - 1);
            ChatHttp.Reply reply = ChatHttp.poll(app, "resume", "limit=" + PER_CONNECTION + "&timeout=5000&since=" + since);
            assertEquals(200, reply.status(), "a message within 5 s while publishing goes on");
            got.addAll(reply.ids());
        }
        return got;
    }

    /** Reads a few events, hangs up, and reconnects with Last-Event-ID as an EventSource does. */
    private List<String> streamAll() throws Exception {
        List<String> got = new ArrayList<>();
        while (got.size() < MESSAGES) {
            String[] resume = got.isEmpty() ? new String[0] : new String[] {"Last-Event-ID", got.get(got.size() - 1)};
            try (EventStream stream = EventStream.open(app.uri("/chat/resume?since=0-0"), resume)) {
                got.addAll(stream.ids(Math.min(PER_CONNECTION, MESSAGES - got.size()), WAIT));
            }
        }
        return got;
    }

    /** Reads a few messages, drops the connection (with a close frame or without), reconnects with since=. */
    private List<String> socketAll() throws Exception {
        List<String> got = new ArrayList<>();
        for (int connection = 0; got.size() < MESSAGES; connection++) {
            String since = got.isEmpty() ? "0-0" : got.get(got.size() - 1);
            WsClient client = WsClient.connect(app.base(), "/chat/resume/socket?since=" + since, null)
                    .get(10, TimeUnit.SECONDS);
            try {
                for (int i = 0; i < PER_CONNECTION && got.size() < MESSAGES; i++) {
                    got.add(ChatHttp.JSON.readTree(client.nextReply()).get("id").asText());
                }
            } finally {
                if (connection % 2 == 0) {
                    client.close();
                } else {
                    client.abort();
                }
            }
        }
        return got;
    }

    @Test
    void endsEveryChatClientAndLeavesNoThreadWhenTheServerStops() throws Exception {
        long threadsBefore = schedulerThreads();
        Deployment doomed = Deployment.start(container);
        RawClient poll = RawClient.get(doomed.base(), "/chat/doomed?timeout=60000", 0);
        EventStream stream = EventStream.open(doomed.uri("/chat/doomed"));
        WsClient socket = WsClient.connect(doomed.base(), "/chat/doomed/socket", null).get(10, TimeUnit.SECONDS);
        try {
            assertEquals(1, doomed.awaitStatus("openChatPolls", n -> n == 1, WAIT));
            assertEquals(3, doomed.awaitStatus("chatSubscribers", n -> n == 3, WAIT));

            doomed.stopWithin(Duration.ofSeconds(20));

            String answer = poll.readToEnd(); // returns when the server closes the connection
            assertTrue(stream.awaitEnd(WAIT), "the event stream ended");
            WsClient.Close close = socket.awaitClose(20);
            assertEquals(threadsBefore, schedulerThreads(), "the undeployed app's scheduler threads are gone");
            if (!container.isJetty()) {
                // Tomcat stops the connectors after the context: the broker's close reaches the poll, which is told
                // the chat is gone. (Tomcat closes WebSocket sessions itself as the application stops: 1001 too.)
                assertTrue(answer.startsWith("HTTP/1.1 503"), "the poll is told the chat is gone: " + answer);
                assertEquals(1001, close.code(), close.toString());
            } else {
                assertFalse(answer.contains("\"id\""), answer);
            }
        } finally {
            poll.close();
            stream.close();
            socket.close();
        }
    }

    private static long schedulerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("async-primer-scheduler-")).count();
    }
}
