package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.it.Deployed;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.OnEveryContainer;
import org.asyncprimer.it.RawClient;
import org.asyncprimer.it.ServerOptions;
import org.junit.jupiter.api.Test;

/** GET /chat/{room} as a long-poll: what is there at once, else the next message, else 204. */
@OnEveryContainer
class ChatPollIT extends Deployed {

    private static final int HISTORY = 5;

    @Override
    protected ServerOptions options() {
        return ServerOptions.defaults()
                .withContextParams(Map.of("asyncprimer.chat.history", Integer.toString(HISTORY)));
    }

    @Test
    void answersWithTheRetainedMessagesAtOnceThenEnds() throws Exception {
        List<String> ids = ChatHttp.publishMany(app, "backlog", 3);

        long sent = System.nanoTime();
        ChatHttp.Reply reply = ChatHttp.poll(app, "backlog", "since=0-0");
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

        assertEquals(200, reply.status());
        assertEquals(ids, reply.ids());
        assertTrue(tookMs < 15_000, "at once, not after the 25 s timeout: " + tookMs + " ms");
        assertAll(
                () -> assertEquals("application/x-ndjson;charset=utf-8",
                        reply.header("Content-Type").replace(" ", "").toLowerCase(java.util.Locale.ROOT)),
                () -> assertEquals("no-cache", reply.header("Cache-Control")),
                () -> assertEquals("no", reply.header("X-Accel-Buffering")));
        assertEquals(ids.subList(1, 3), ChatHttp.poll(app, "backlog", "since=" + ids.get(0)).ids());
    }

    @Test
    void withoutSinceWaitsForTheNextMessageThenEndsWithIt() throws Exception {
        ChatHttp.publish(app, "next", "alice", "before the poll");
        long sent = System.nanoTime();
        CompletableFuture<ChatHttp.Reply> poll = CompletableFuture.supplyAsync(() -> poll("next", ""));
        assertEquals(1, app.awaitStatus("openChatPolls", n -> n == 1, Duration.ofSeconds(20)), "the poll waits");
        Thread.sleep(300); // the poll must still be waiting after this, and answer only the message that follows

        String id = ChatHttp.publish(app, "next", "bob", "after");
        ChatHttp.Reply reply = poll.get(10, TimeUnit.SECONDS);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

        assertEquals(200, reply.status());
        assertEquals(List.of(id), reply.ids());
        assertEquals("after", reply.lines().get(0).get("text").asText());
        assertTrue(tookMs >= 300, "waited for the message: " + tookMs + " ms");
        assertEquals(0, app.awaitStatus("openChatPolls", n -> n == 0, Duration.ofSeconds(20)));
    }

    @Test
    void afterTheNewestIdWaitsForTheNextMessage() throws Exception {
        String last = ChatHttp.publishMany(app, "wait", 2).get(1);
        CompletableFuture<ChatHttp.Reply> poll = CompletableFuture.supplyAsync(() -> poll("wait", "since=" + last));
        assertEquals(1, app.awaitStatus("openChatPolls", n -> n == 1, Duration.ofSeconds(20)));

        String next = ChatHttp.publish(app, "wait", "carol", "third");

        assertEquals(List.of(next), poll.get(10, TimeUnit.SECONDS).ids());
    }

    @Test
    void answersNoContentWhenNothingComesWithinTheTimeout() throws Exception {
        int idle = app.status("schedulerTasks");
        long sent = System.nanoTime();
        ChatHttp.Reply reply = ChatHttp.poll(app, "quiet", "timeout=300");
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

        assertEquals(204, reply.status());
        assertEquals("", reply.body());
        assertTrue(tookMs >= 250 && tookMs < 15_000, "204 after its 300 ms timeout, not the default 25 s, took " + tookMs + " ms");
        assertEquals(0, app.awaitStatus("openChatPolls", n -> n == 0, Duration.ofSeconds(20)));
        int tasks = app.awaitStatus("schedulerTasks", n -> n <= idle, Duration.ofSeconds(20));
        assertTrue(tasks <= idle, "the timeout's timer is gone: " + tasks + " tasks, " + idle + " before");
    }

    @Test
    void returnsAtMostLimitMessagesAndTheNextPollGoesOn() throws Exception {
        List<String> ids = ChatHttp.publishMany(app, "limit", 5);

        List<String> got = new ArrayList<>();
        String since = "0-0";
        for (int poll = 0; poll < 3; poll++) {
            List<String> page = ChatHttp.poll(app, "limit", "limit=2&since=" + since).ids();
            assertTrue(page.size() <= 2, page.toString());
            got.addAll(page);
            since = page.get(page.size() - 1);
        }
        assertEquals(ids, got);
    }

    @Test
    void anAnswerHoldsAtMostQueueBytesOfMessagesAndTheNextPollGoesOn() throws Exception {
        // Without the byte bound a poll that never read held up to 1000 lines (12 MB of escaped text) in the heap.
        try (Deployment small = Deployment.start(container, ServerOptions.defaults().withContextParams(Map.of(
                ChatServlet.QUEUE_BYTES, "4096", "asyncprimer.chat.history", "100")))) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                ids.add(ChatHttp.publish(small, "bytes", "alice", "x".repeat(1000))); // a line of ~1100 bytes
            }

            List<String> got = new ArrayList<>();
            String since = "0-0";
            for (int poll = 0; poll < 12 && got.size() < ids.size(); poll++) {
                ChatHttp.Reply reply = ChatHttp.poll(small, "bytes", "limit=1000&since=" + since);
                List<String> page = reply.ids();
                assertTrue(reply.body().length() <= 4096 && page.size() == 3,
                        page.size() + " lines, " + reply.body().length() + " bytes: three fit in 4096");
                got.addAll(page);
                since = page.get(page.size() - 1);
            }
            assertEquals(ids, got);
            // A message larger than the bound still goes, alone: the poll never answers empty-handed.
            String big = ChatHttp.publish(small, "bytes", "alice", "\u0001".repeat(1000)); // 6 000 bytes of JSON
            assertEquals(List.of(big), ChatHttp.poll(small, "bytes", "limit=1000&since=" + since).ids());
        }
    }

    @Test
    void marksTheGapWhenTheHistoryNoLongerHoldsWhatCameAfterSince() throws Exception {
        List<String> ids = ChatHttp.publishMany(app, "gap", HISTORY + 3);

        List<JsonNode> lines = ChatHttp.poll(app, "gap", "since=" + ids.get(0)).lines();

        assertEquals("{\"gap\":true,\"oldest\":\"" + ids.get(3) + "\"}", lines.get(0).toString());
        assertEquals(ids.subList(3, ids.size()), lines.subList(1, lines.size()).stream()
                .map(line -> line.get("id").asText()).toList());
        assertEquals(ids.subList(3, ids.size()), ChatHttp.poll(app, "gap", "since=" + ids.get(2)).ids(),
                "no gap for a client that missed nothing");
        List<JsonNode> one = ChatHttp.poll(app, "gap", "limit=1&since=" + ids.get(0)).lines();
        assertEquals(List.of("true", ids.get(3)), List.of(one.get(0).path("gap").asText(), one.get(1).path("id").asText()),
                "the gap marker does not count against limit: the first message comes with it, so the client moves on");
    }

    @Test
    void fromTheStartOfARoomThatDroppedNothingThereIsNoGap() throws Exception {
        List<String> ids = ChatHttp.publishMany(app, "start", 2);

        assertEquals(ids, ChatHttp.poll(app, "start", "since=0-0").ids());
    }

    @Test
    void holdsFiftyPollsOnTwoRequestThreadsAndAnswersAllWithOneMessage() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(50);
        try (Deployment small = Deployment.start(container, ServerOptions.defaults().withMaxThreads(2))) {
            List<CompletableFuture<ChatHttp.Reply>> polls = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                polls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return ChatHttp.poll(small, "many", "timeout=60000");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, clients));
            }
            assertEquals(50, small.awaitStatus("openChatPolls", n -> n == 50, Duration.ofSeconds(20)),
                    "fifty polls held at once");

            String id = ChatHttp.publish(small, "many", "alice", "to everyone");

            for (CompletableFuture<ChatHttp.Reply> poll : polls) {
                assertEquals(List.of(id), poll.get(20, TimeUnit.SECONDS).ids());
            }
            assertEquals(0, small.awaitStatus("openChatPolls", n -> n == 0, Duration.ofSeconds(20)));
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aPollerThatVanishesLeavesNothingBehind() throws Exception {
        int idle = app.status("schedulerTasks");
        RawClient client = RawClient.get(app.base(), "/chat/vanish?timeout=60000", 0);
        assertEquals(1, app.awaitStatus("openChatPolls", n -> n == 1, Duration.ofSeconds(20)));

        client.abort();
        // A waiting poll writes nothing, so the container notices the reset at the next write: the next message.
        ChatHttp.publish(app, "vanish", "alice", "anyone there?");

        assertEquals(0, app.awaitStatus("openChatPolls", n -> n == 0, Duration.ofSeconds(10)));
        assertEquals(0, app.awaitStatus("chatSubscribers", n -> n == 0, Duration.ofSeconds(20)));
        int tasks = app.awaitStatus("schedulerTasks", n -> n <= idle, Duration.ofSeconds(20));
        assertTrue(tasks <= idle, "the poll's timer is gone: " + tasks + " tasks, " + idle + " before");
    }

    private ChatHttp.Reply poll(String room, String query) {
        try {
            return ChatHttp.poll(app, room, query);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
