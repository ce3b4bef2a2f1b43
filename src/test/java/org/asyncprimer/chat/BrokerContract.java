package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.asyncprimer.chat.Broker.Backlog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every broker does, whatever keeps its rooms: {@link MemoryBrokerContractTest} runs it against the
 * in-memory broker, {@code RedisBrokerIT} against Redis. A broker may deliver on its own threads (Redis does),
 * so every expectation waits for deliveries with a deadline, and "nothing more came" is checked after a witness
 * subscriber has seen the message that would have come.
 *
 * <p>Where the two differ by design, the contract leaves it out: the exact number of messages history keeps (Redis
 * keeps at least as many), and what counts as a room (a node's subscribed rooms, for Redis).
 */
abstract class BrokerContract {

    static final Duration WAIT = Duration.ofSeconds(15);

    private final List<Broker> brokers = new ArrayList<>();
    private final String room = "c" + UUID.randomUUID().toString().replace("-", "");

    /** A new broker with these settings; the contract closes it after the test. */
    protected abstract Broker create(ChatSettings settings);

    @AfterEach
    void closeBrokers() {
        brokers.forEach(Broker::close);
    }

    protected Broker broker(int history) {
        return broker(history, 10_000);
    }

    protected Broker broker(int history, int maxRooms) {
        Broker broker = create(new ChatSettings(history, maxRooms, 64 << 20, Duration.ofHours(1),
                Duration.ofSeconds(15)));
        brokers.add(broker);
        return broker;
    }

    protected String room() {
        return room;
    }

    static Message publish(Broker broker, String room, String text) {
        return broker.publish(room, new Draft("alice", text)).toCompletableFuture().join();
    }

    static Recorder subscribe(Broker broker, String room, MessageId since) {
        Recorder recorder = new Recorder();
        broker.subscribe(room, since, recorder).resume();
        return recorder;
    }

    static String line(Message message) {
        return message.id() + " " + message.text();
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            try {
                Thread.sleep(5); // polling interval; the loop checks the outcome
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    /** Waits until the recorder's events satisfy the condition, and returns them. */
    static List<String> awaitEvents(Recorder recorder, Predicate<List<String>> condition) {
        await("events " + recorder.events(), () -> condition.test(recorder.events()));
        return recorder.events();
    }

    /** Waits until the recorder has exactly these events (a missing, extra or reordered one fails). */
    static void awaitExactly(Recorder recorder, List<String> expected) {
        List<String> got = awaitEvents(recorder, events -> events.size() >= expected.size());
        assertEquals(expected, got);
    }

    private List<String> read(Broker broker, MessageId after, int limit) {
        Backlog backlog = broker.read(room, after, limit).toCompletableFuture().join();
        List<String> lines = new ArrayList<>(backlog.gap() ? List.of("gap") : List.of());
        backlog.messages().forEach(message -> lines.add(line(message)));
        return lines;
    }

    @Test
    void publishingAssignsIncreasingIdsAndReadingAfterAnIdGivesWhatFollows() {
        Broker broker = broker(1000);
        Instant before = Instant.now().minusSeconds(60);
        Message one = publish(broker, room, "one");
        Message two = publish(broker, room, "two");
        Message three = publish(broker, room, "three");

        assertTrue(one.id().isBefore(two.id()) && two.id().isBefore(three.id()), one + " " + two + " " + three);
        assertEquals(List.of(room, "alice", "three"), List.of(three.room(), three.name(), three.text()));
        assertTrue(three.at().isAfter(before) && three.at().isBefore(Instant.now().plusSeconds(60)), three.at() + "");
        assertEquals(List.of(line(two), line(three)), read(broker, one.id(), 10));
        assertEquals(List.of(line(two)), read(broker, one.id(), 1));
        assertEquals(List.of(), read(broker, three.id(), 10));
    }

    @Test
    void publishesMadeOneAfterAnotherWithoutWaitingAreStoredInThatOrder() {
        // A WebSocket client's messages, sent back to back, must not swap places on the way to storage.
        Broker broker = broker(1000);
        List<CompletableFuture<Message>> pending = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            pending.add(broker.publish(room, new Draft("alice", "m" + i)).toCompletableFuture());
        }
        MessageId previous = MessageId.ZERO;
        for (int i = 0; i < pending.size(); i++) {
            Message message = pending.get(i).join();
            assertEquals("m" + i, message.text());
            assertTrue(previous.isBefore(message.id()), "m" + i + " got " + message.id() + " after " + previous);
            previous = message.id();
        }
    }

    @Test
    void readingDoesNotOpenARoomAndAnUnknownRoomHasNoMessages() {
        Broker broker = broker(1000);
        Backlog backlog = broker.read("nobody-here-" + room, MessageId.ZERO, 10).toCompletableFuture().join();
        assertEquals(new Backlog(false, List.of()), backlog);
        assertEquals(0, broker.counts().rooms());
    }

    @Test
    void aSubscriberWithoutSinceGetsOnlyWhatIsPublishedAfterIt() {
        Broker broker = broker(1000);
        publish(broker, room, "before");
        Recorder recorder = subscribe(broker, room, null);
        Message after = publish(broker, room, "after");

        awaitExactly(recorder, List.of(line(after)));
    }

    @Test
    void aSubscriberWithSinceGetsTheRetainedMessagesAfterItThenNewOnes() {
        Broker broker = broker(1000);
        Message one = publish(broker, room, "one");
        Message two = publish(broker, room, "two");
        Message three = publish(broker, room, "three");
        Recorder recorder = subscribe(broker, room, one.id());
        awaitExactly(recorder, List.of(line(two), line(three)));
        Message four = publish(broker, room, "four");

        awaitExactly(recorder, List.of(line(two), line(three), line(four)));
    }

    @Test
    void sinceTheStartOfARoomThatLostNothingGivesEveryMessageWithoutAGapMarker() {
        Broker broker = broker(1000);
        Message one = publish(broker, room, "one");
        Message two = publish(broker, room, "two");

        awaitExactly(subscribe(broker, room, MessageId.ZERO), List.of(line(one), line(two)));
        assertEquals(List.of(line(one), line(two)), read(broker, MessageId.ZERO, 10));
    }

    @Test
    void nothingIsDeliveredBeforeTheFirstResume() {
        Broker broker = broker(1000);
        Message one = publish(broker, room, "one");
        Recorder waiting = new Recorder();
        Subscription subscription = broker.subscribe(room, one.id(), waiting);
        Recorder witness = subscribe(broker, room, one.id());
        Message two = publish(broker, room, "two");
        awaitExactly(witness, List.of(line(two)));
        assertEquals(List.of(), waiting.events());
        assertEquals(0, waiting.caughtUp.get());

        subscription.resume();
        awaitExactly(waiting, List.of(line(two)));
        await("caught up", () -> waiting.caughtUp.get() >= 1);
    }

    @Test
    void aRefusedMessageComesAgainFirstOnResumeAndNothingTwice() {
        Broker broker = broker(1000);
        Recorder recorder = new Recorder(1);
        Subscription subscription = broker.subscribe(room, null, recorder);
        subscription.resume();
        Recorder witness = subscribe(broker, room, null);
        await("both started", () -> recorder.caughtUp.get() >= 1 && witness.caughtUp.get() >= 1);
        List<String> sent = new ArrayList<>();
        for (String text : List.of("one", "two", "three")) {
            sent.add(line(publish(broker, room, text)));
        }
        awaitExactly(witness, sent);
        assertEquals(sent.subList(0, 1), recorder.events());

        recorder.makeRoom(1);
        subscription.resume();
        awaitExactly(recorder, sent.subList(0, 2));

        recorder.makeRoom(10);
        subscription.resume();
        sent.add(line(publish(broker, room, "four")));
        awaitExactly(recorder, sent);
    }

    @Test
    void aResumeFromBeforeTheRetainedHistoryGetsTheGapMarkerThenTheOldestRetained() {
        Broker broker = broker(5);
        List<Message> sent = publishMany(broker, 250);
        List<String> lines = sent.stream().map(BrokerContract::line).toList();
        String last = lines.get(lines.size() - 1);

        Recorder recorder = subscribe(broker, room, sent.get(0).id());
        List<String> got = awaitEvents(recorder, events -> events.contains(last));
        assertGapThenRetainedSuffix(got, lines, 5);

        List<String> backlog = read(broker, sent.get(0).id(), 1000);
        assertEquals("gap", backlog.get(0));
        assertEquals(got.subList(1, got.size()), backlog.subList(1, backlog.size()), "read gives the same messages");
        // The client that has the last but one missed nothing: no marker.
        awaitExactly(subscribe(broker, room, sent.get(248).id()), List.of(last));
    }

    @Test
    void aPausedSubscriberThatHistoryHasPassedGetsTheGapMarkerThenTheOldestRetained() {
        Broker broker = broker(5);
        Recorder recorder = new Recorder(1);
        Subscription subscription = broker.subscribe(room, null, recorder);
        subscription.resume();
        await("started", () -> recorder.caughtUp.get() >= 1);
        List<Message> sent = publishMany(broker, 250);
        List<String> lines = sent.stream().map(BrokerContract::line).toList();
        awaitExactly(recorder, lines.subList(0, 1));

        recorder.makeRoom(1000);
        subscription.resume();
        List<String> got = awaitEvents(recorder, events -> events.contains(lines.get(249)));
        assertEquals(lines.get(0), got.get(0));
        assertGapThenRetainedSuffix(got.subList(1, got.size()), lines, 5);
    }

    @Test
    void anIdNewerThanAnythingTheRoomIssuedReadsFromTheOldestRetainedAfterTheGapMarker() {
        Broker broker = broker(1000);
        Message one = publish(broker, room, "one");
        Message two = publish(broker, room, "two");
        MessageId future = new MessageId(two.id().ms() + 86_400_000L, 0);

        awaitExactly(subscribe(broker, room, future), List.of("gap " + one.id(), line(one), line(two)));
        assertEquals(List.of("gap", line(one), line(two)), read(broker, future, 10));
    }

    @Test
    void cancelStopsDeliveryAndUnregisters() {
        Broker broker = broker(1000);
        Recorder cancelled = new Recorder();
        Subscription subscription = broker.subscribe(room, null, cancelled);
        subscription.resume();
        Recorder witness = subscribe(broker, room, null);
        await("both started", () -> cancelled.caughtUp.get() >= 1 && witness.caughtUp.get() >= 1);
        assertEquals(2, broker.counts().subscribers());

        subscription.cancel();
        subscription.cancel(); // idempotent
        Message one = publish(broker, room, "one");
        awaitExactly(witness, List.of(line(one)));
        assertEquals(List.of(), cancelled.events());
        assertEquals(1, broker.counts().subscribers());
        assertEquals(1, cancelled.closed.getCount(), "a cancelled subscriber is not told it was closed");
    }

    @Test
    void aRoomThatHoldsNoMessageIsForgottenWhenItsLastSubscriptionEnds() {
        // The hostile client's GET /chat/<new name>?timeout=1, over and over: with the rooms kept until the idle
        // sweep, maxRooms (here 1) of them refused every subscription to a new room for an hour.
        Broker broker = broker(1000, 1);
        for (int i = 0; i < 3; i++) {
            String name = room + "-" + i;
            Recorder first = new Recorder();
            Subscription staying = broker.subscribe(name, null, first);
            staying.resume();
            await("subscribed to " + name, () -> first.caughtUp.get() >= 1 || first.closed.getCount() == 0);
            assertNull(first.closedWith, name + " refused");
            Subscription left = broker.subscribe(name, null, new Recorder()); // gone before it started
            left.cancel();
            assertEquals(1, broker.counts().rooms(), name + " stays while it has a subscriber");
            staying.cancel();
            assertEquals(new Broker.Counts(0, 0, 0, 0), broker.counts(), name + " forgotten with its last subscriber");
        }
        Recorder late = subscribe(broker, room, null);
        Message one = publish(broker, room, "one");
        awaitExactly(late, List.of(line(one)));
    }

    @Test
    void everyRunOfDeliveryEndsWithOnDeliveredAndNoneFollowsTheClose() throws InterruptedException {
        // ChatStream queues what it is given and writes it all in onDelivered: an item taken and not followed by
        // onDelivered would wait unwritten until the next message.
        Broker broker = broker(1000);
        Message one = publish(broker, room, "one");
        Message two = publish(broker, room, "two");
        Recorder recorder = subscribe(broker, room, MessageId.ZERO);
        awaitExactly(recorder, List.of(line(one), line(two)));
        await("the backlog's run ended with onDelivered", () -> recorder.undelivered.get() == 0);
        Message three = publish(broker, room, "three");
        awaitExactly(recorder, List.of(line(one), line(two), line(three)));
        await("the live run ended with onDelivered", () -> recorder.undelivered.get() == 0);

        Recorder paused = new Recorder(1);
        Subscription subscription = broker.subscribe(room, MessageId.ZERO, paused);
        subscription.resume();
        awaitExactly(paused, List.of(line(one)));
        await("a run that paused ended with onDelivered too", () -> paused.undelivered.get() == 0);

        broker.close();
        assertTrue(recorder.closed.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        int runs = recorder.deliveredRuns.get();
        assertTrue(runs >= 2, runs + " runs");
        assertEquals(0, recorder.deliveredAfterClosed.get(), "onClosed is the last call");
    }

    @Test
    void closeEndsEverySubscriptionAndRefusesWhatFollows() throws InterruptedException {
        Broker broker = broker(1000);
        Recorder one = subscribe(broker, room, null);
        Recorder two = subscribe(broker, room + "-2", null);
        await("both started", () -> one.caughtUp.get() >= 1 && two.caughtUp.get() >= 1);

        broker.close();
        broker.close(); // idempotent
        assertTrue(one.closed.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(two.closed.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertNull(one.closedWith);
        assertNull(two.closedWith);

        CompletionException refused = assertThrows(CompletionException.class, () -> publish(broker, room, "late"));
        assertInstanceOf(Broker.Unavailable.class, refused.getCause());
        Recorder late = new Recorder();
        Subscription subscription = broker.subscribe(room, null, late);
        subscription.resume();
        assertTrue(late.closed.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(Broker.Unavailable.class, late.closedWith);
        assertEquals(0, broker.counts().subscribers());
    }

    @Test
    void racingPublishersAndSubscribersGetEachMessageAfterTheirStartOnceInOrder() throws Exception {
        Broker broker = broker(100_000);
        int publishers = 3;
        int each = 150;
        List<Message> published = new CopyOnWriteArrayList<>();
        List<Run> runs = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                int publisher = p;
                done.add(pool.submit(() -> {
                    for (int k = 0; k < each; k++) {
                        if (k % 30 == 0) {
                            // Alternately from now, and from a message already published.
                            MessageId since = k % 60 == 0 || published.isEmpty() ? null
                                    : published.get(published.size() / 2).id();
                            runs.add(new Run(since, subscribe(broker, room, since)));
                        }
                        published.add(publish(broker, room, publisher + "-" + k));
                    }
                    return null;
                }));
            }
            for (Future<?> publisher : done) {
                publisher.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Message end = publish(broker, room, "the end");
        List<String> all = new ArrayList<>(published.stream().map(BrokerContract::line).toList());
        Collections.sort(all, (a, b) -> MessageId.parse(a.split(" ")[0]).compareTo(MessageId.parse(b.split(" ")[0])));
        all.add(line(end));

        assertEquals(publishers * each / 30, runs.size());
        for (Run run : runs) {
            List<String> got = awaitEvents(run.recorder, events -> events.contains(line(end)));
            int from = run.since == null ? all.indexOf(got.get(0)) : firstAfter(all, run.since);
            assertTrue(from >= 0, "delivered an unknown message " + got.get(0));
            assertEquals(all.subList(from, all.size()), got, "since " + run.since + ": each message once, in order");
        }
    }

    private record Run(MessageId since, Recorder recorder) {
    }

    private static int firstAfter(List<String> lines, MessageId since) {
        for (int i = 0; i < lines.size(); i++) {
            if (since.isBefore(MessageId.parse(lines.get(i).split(" ")[0]))) {
                return i;
            }
        }
        return lines.size();
    }

    private List<Message> publishMany(Broker broker, int count) {
        List<Message> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(publish(broker, room, "m" + i));
        }
        return sent;
    }

    /**
     * {@code got} is a gap marker naming the message after it, then an unbroken run of the newest messages sent,
     * at least {@code history} of them and not all.
     */
    private static void assertGapThenRetainedSuffix(List<String> got, List<String> sent, int history) {
        assertTrue(got.get(0).startsWith("gap "), "starts with the marker: " + got);
        assertEquals(got.get(0).substring(4), got.get(1).split(" ")[0], "the marker names the message after it");
        List<String> messages = got.subList(1, got.size());
        int from = sent.indexOf(messages.get(0));
        assertTrue(from > 1, "older messages are gone");
        assertEquals(sent.subList(from, sent.size()), messages, "then every retained message, in order");
        assertTrue(messages.size() >= history, messages.size() + " retained, history " + history);
        assertFalse(messages.stream().anyMatch(line -> line.startsWith("gap")), "one marker only");
    }
}
