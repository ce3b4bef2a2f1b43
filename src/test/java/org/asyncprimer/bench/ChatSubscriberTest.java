package org.asyncprimer.bench;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What a chat subscriber counts (the run's checks must catch a missing, repeated or reordered message), and how the
 * SSE and long-poll subscribers find the messages in what the socket delivers, split anywhere.
 */
class ChatSubscriberTest {

    private final AtomicInteger ready = new AtomicInteger();
    private final SseSubscriber subscriber = new SseSubscriber("h", "r", "1-0", 3, ready::incrementAndGet);

    @Test
    void everyMessageOnceInOrderIsComplete() {
        deliver(1, 2, 3);

        assertAll(() -> assertTrue(subscriber.complete()), () -> assertEquals(3, subscriber.delivered()),
                () -> assertTrue(subscriber.finished()), () -> assertEquals("9-3", subscriber.lastId()),
                () -> assertEquals(2_000_000, subscriber.latencyNanos[2]));
    }

    @Test
    void aMissingMessageIsNotComplete() {
        deliver(1, 3);

        assertAll(() -> assertFalse(subscriber.complete()), () -> assertEquals(2, subscriber.delivered()),
                () -> assertEquals("messages missing", subscriber.why()));
    }

    @Test
    void aRepeatedMessageIsADuplicate() {
        deliver(1, 2, 2, 3);

        assertAll(() -> assertFalse(subscriber.complete()), () -> assertEquals(1, subscriber.duplicates),
                () -> assertEquals(0, subscriber.outOfOrder), () -> assertEquals(3, subscriber.delivered()));
    }

    @Test
    void anEarlierMessageAfterALaterOneIsOutOfOrder() {
        deliver(2, 1, 3);

        assertAll(() -> assertFalse(subscriber.complete()), () -> assertEquals(1, subscriber.outOfOrder),
                () -> assertEquals(0, subscriber.duplicates));
    }

    @Test
    void anotherClientsMessageIsIgnoredButCounted() {
        subscriber.message("{\"id\":\"5-0\",\"room\":\"r\",\"name\":\"alice\",\"text\":\"hi\",\"at\":\"x\"}", 0);
        deliver(1, 2, 3);

        assertAll(() -> assertTrue(subscriber.complete()), () -> assertEquals(1, subscriber.foreign));
    }

    @Test
    void resumesAfterTheLastMessageThatCameEvenWhenItIsNotTheRuns() {
        deliver(1);
        subscriber.message("{\"id\":\"9-9\",\"room\":\"r\",\"name\":\"bench\",\"text\":\"lead-in 1\",\"at\":\"x\"}", 0);

        // A long-poll resumes from lastId(): kept at the run's last message, it would fetch the lead-in again.
        assertAll(() -> assertEquals("9-9", subscriber.lastId()), () -> assertEquals(1, subscriber.foreign));
    }

    @Test
    void aGapMarkerFailsTheSubscriber() {
        subscriber.message("{\"gap\":true,\"oldest\":\"7-0\"}", 0);

        assertAll(() -> assertFalse(subscriber.complete()), () -> assertTrue(subscriber.finished()),
                () -> assertEquals(1, ready.get(), "a failed subscriber counts as ready: the publisher need not wait"));
    }

    @Test
    void anSseStreamSplitAnywhereIntoTwoReadsGivesEveryMessageOnce() {
        String stream = "HTTP/1.1 200 \r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunk("retry: 2000\n\n") + chunk(event(1)) + chunk(": ping\n\n") + chunk(event(2) + event(3));
        for (int split = 1; split < stream.length(); split++) {
            AtomicInteger readies = new AtomicInteger();
            SseSubscriber sse = new SseSubscriber("h", "r", "1-0", 3, readies::incrementAndGet);
            sse.received(bytes(stream.substring(0, split)), 10_000_000L);
            sse.received(bytes(stream.substring(split)), 10_000_000L);
            int at = split;
            assertAll("split at " + at, () -> assertTrue(sse.complete(), () -> sse.why()),
                    () -> assertEquals(3, sse.delivered()), () -> assertEquals(0, sse.foreign),
                    () -> assertEquals("9-3", sse.lastId()), () -> assertEquals(1, readies.get()),
                    () -> assertEquals(7_000_000L, sse.latencyNanos[3]));
        }
    }

    @Test
    void aLongPollAnswerSplitAnywhereIntoTwoReadsGivesEveryMessageAndResumesAfterTheLast() {
        String answer = "HTTP/1.1 200 \r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunk(json(1) + "\n" + json(2) + "\n") + chunk(json(3) + "\n") + "0\r\n\r\n";
        for (int split = 1; split < answer.length(); split++) {
            PollSubscriber poll = new PollSubscriber("h", "r", "1-0", 3, () -> { });
            poll.connected(0);
            poll.outgoing().position(poll.outgoing().limit()); // the poll was sent
            poll.received(bytes(answer.substring(0, split)), 10_000_000L);
            poll.received(bytes(answer.substring(split)), 10_000_000L);
            int at = split;
            assertAll("split at " + at, () -> assertTrue(poll.complete(), () -> poll.why()),
                    () -> assertEquals(1, poll.polls), () -> assertEquals("9-3", poll.lastId()));
        }
    }

    @Test
    void anEndlessSseLineFailsTheSubscriber() {
        SseSubscriber sse = new SseSubscriber("h", "r", "1-0", 3, () -> { });
        sse.received(bytes("HTTP/1.1 200 \r\nContent-Length: 70000\r\n\r\ndata: "), 0);
        sse.received(bytes("x".repeat(69_994)), 0);

        assertAll(() -> assertTrue(sse.finished()), () -> assertEquals("a line over 65536 bytes", sse.why()));
    }

    @Test
    void aWebSocketSubscriberFinishesWithTheLastMessageAndSendsNothingMore() {
        WsSubscriber ws = new WsSubscriber("h", "r", "1-0", 3, () -> { });
        ws.outgoing().position(ws.outgoing().limit()); // the upgrade was sent
        ws.received(bytes("HTTP/1.1 101 \r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"), 0);
        for (int seq = 1; seq <= 3; seq++) {
            byte[] payload = json(seq).getBytes(StandardCharsets.US_ASCII);
            ByteBuffer frame = ByteBuffer.allocate(2 + payload.length).put((byte) 0x81).put((byte) payload.length)
                    .put(payload).flip(); // a server's text frame: unmasked, under 126 bytes
            ws.received(frame, seq * 1_000_000L + 1_000_000L);
        }

        // No close frame now: the loop closes the connection when the run ends (SubscriberLoop).
        assertAll(() -> assertTrue(ws.complete(), ws::why), () -> assertTrue(ws.finished()),
                () -> assertFalse(ws.outgoing().hasRemaining(), "something sent after the last message"));
    }

    private static String event(int seq) {
        return "id: 9-" + seq + "\nevent: message\ndata: " + json(seq) + "\n\n";
    }

    private static String chunk(String data) {
        return Integer.toHexString(data.length()) + "\r\n" + data + "\r\n";
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Message seq's JSON, sent at seq ms, id "9-seq". */
    private static String json(int seq) {
        return "{\"id\":\"9-" + seq + "\",\"room\":\"r\",\"name\":\"bench\",\"text\":\"" + seq + ":"
                + seq * 1_000_000L + "\",\"at\":\"x\"}";
    }

    /** Message seq sent at seq ms, received 1 ms later per seq (so its latency is seq ms), id "9-seq". */
    private void deliver(int... seqs) {
        for (int seq : seqs) {
            subscriber.message(json(seq), seq * 2_000_000L);
        }
    }
}
