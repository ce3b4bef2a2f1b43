package org.asyncprimer.chat;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.asyncprimer.chat.Broker.Backlog;
import org.asyncprimer.chat.Broker.Counts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-memory broker on one thread, with a clock the test moves: every step is deterministic. */
class MemoryBrokerTest {

    private static final long T = TestClock.START;

    private final TestClock clock = new TestClock();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private MemoryBroker broker = broker(1000, 10_000, 64 << 20);

    @AfterEach
    void close() {
        broker.close();
        scheduler.shutdownNow();
    }

    private MemoryBroker broker(int history, int maxRooms, long maxBytes) {
        if (broker != null) {
            broker.close();
        }
        return new MemoryBroker(new ChatSettings(history, maxRooms, maxBytes, Duration.ofHours(1),
                Duration.ofSeconds(15)), clock, scheduler);
    }

    private Message publish(String room, String text) {
        return broker.publish(room, new Draft("alice", text)).toCompletableFuture().join();
    }

    private Recorder subscribe(String room, MessageId since) {
        Recorder recorder = new Recorder();
        broker.subscribe(room, since, recorder).resume();
        return recorder;
    }

    private static MessageId id(long ms, long seq) {
        return new MessageId(ms, seq);
    }

    private List<String> read(String room, MessageId after, int limit) {
        Backlog backlog = broker.read(room, after, limit).toCompletableFuture().join();
        List<String> lines = backlog.messages().stream().map(m -> m.id() + " " + m.text()).toList();
        return backlog.gap() ? Stream.concat(Stream.of("gap"), lines.stream()).toList() : lines;
    }

    /**
     * Issue #11: "publishers never wait on subscribers". A room of thousands was woken on the publisher's thread,
     * whose answer waited for every write (~150 ms at 10 000). A subscriber held inside its callback stands for
     * that fan-out: the next publish must still return.
     */
    @Test
    void aPublishReturnsWhileALargeRoomsFanOutIsBusy() throws Exception {
        HeldRecorder held = new HeldRecorder(Duration.ofSeconds(10));
        broker.subscribe("lobby", null, held).resume();
        List<Recorder> others = new ArrayList<>();
        for (int i = 1; i < MemoryBroker.HAND_OFF_FROM; i++) {
            others.add(subscribe("lobby", null));
        }
        ExecutorService publisher = Executors.newSingleThreadExecutor();
        try {
            Message first = publisher.submit(() -> publish("lobby", "first")).get(10, SECONDS);
            assertTrue(held.inside.await(10, SECONDS), "the fan-out never reached the held subscriber");
            Message second;
            try {
                second = publisher.submit(() -> publish("lobby", "second")).get(5, SECONDS);
            } finally {
                held.release.countDown();
            }
            List<String> both = List.of(first.id() + " first", second.id() + " second");
            for (Recorder subscriber : Stream.concat(Stream.of(held), others.stream()).toList()) {
                awaitEvents(subscriber, both);
            }
        } finally {
            publisher.shutdownNow();
        }
    }

    @Test
    void closeStopsTheFanOutThread() throws Exception {
        for (int i = 0; i < MemoryBroker.HAND_OFF_FROM; i++) {
            subscribe("lobby", null);
        }
        publish("lobby", "handed off");
        assertTrue(fanOutAlive(), "the fan-out thread runs from the broker's start");

        broker.close();

        assertTrue(!fanOutAlive(), "the broker's fan-out thread outlived close()");
    }

    private static boolean fanOutAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.isAlive() && thread.getName().startsWith("async-primer-chat-fanout-"));
    }

    private static void awaitEvents(Recorder recorder, List<String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + SECONDS.toNanos(10);
        while (recorder.events().size() < expected.size() && System.nanoTime() < deadline) {
            Thread.sleep(2); // polling with a deadline: delivery runs on the fan-out thread
        }
        assertEquals(expected, recorder.events());
    }

    @Test
    void publishingAssignsIncreasingIdsFromTheClockAndStampsTheTime() {
        Message first = publish("lobby", "one");
        Message second = publish("lobby", "two");
        clock.advance(Duration.ofMillis(5));
        Message third = publish("lobby", "three");

        assertEquals(List.of(id(T, 0), id(T, 1), id(T + 5, 0)), List.of(first.id(), second.id(), third.id()));
        assertEquals(new Message(id(T + 5, 0), "lobby", "alice", "three", Instant.ofEpochMilli(T + 5)), third);
        assertEquals(id(T + 5, 0), publish("other", "own ids").id()); // ids are per room
    }

    @Test
    void aSubscriberWithoutSinceGetsOnlyWhatIsPublishedAfterIt() {
        publish("lobby", "before");
        Recorder recorder = subscribe("lobby", null);
        publish("lobby", "after");

        assertEquals(List.of(T + "-1 after"), recorder.events());
    }

    @Test
    void aSubscriberWithSinceGetsTheRetainedMessagesAfterItThenNewOnes() {
        Message first = publish("lobby", "one");
        publish("lobby", "two");
        publish("lobby", "three");
        Recorder recorder = subscribe("lobby", first.id());
        publish("lobby", "four");

        assertEquals(List.of(T + "-1 two", T + "-2 three", T + "-3 four"), recorder.events());
    }

    @Test
    void nothingIsDeliveredBeforeTheFirstResume() {
        publish("lobby", "one");
        Recorder recorder = new Recorder();
        Subscription subscription = broker.subscribe("lobby", MessageId.ZERO, recorder);
        publish("lobby", "two");
        assertEquals(List.of(), recorder.events());
        assertEquals(0, recorder.caughtUp.get());

        subscription.resume();
        assertEquals(List.of(T + "-0 one", T + "-1 two"), recorder.events());
        assertEquals(1, recorder.caughtUp.get());
    }

    @Test
    void fromTheStartOfARoomThatHasDroppedNothingThereIsNoGap() {
        Recorder early = subscribe("lobby", MessageId.ZERO); // the room is opened by this subscription
        publish("lobby", "one");
        publish("lobby", "two");

        assertEquals(List.of(T + "-0 one", T + "-1 two"), early.events());
        assertEquals(List.of(T + "-0 one", T + "-1 two"), subscribe("lobby", MessageId.ZERO).events());
        assertEquals(List.of(T + "-0 one", T + "-1 two"), read("lobby", MessageId.ZERO, 10));
    }

    @Test
    void fromTheStartOfARoomThatHasDroppedMessagesThereIsTheGap() {
        broker = broker(2, 10_000, 64 << 20);
        Recorder paused = new Recorder(0);
        Subscription subscription = broker.subscribe("lobby", MessageId.ZERO, paused);
        subscription.resume();
        for (String text : List.of("one", "two", "three")) {
            publish("lobby", text);
        }

        assertEquals(List.of("gap", T + "-1 two", T + "-2 three"), read("lobby", MessageId.ZERO, 10));
        assertEquals(List.of("gap " + T + "-1", T + "-1 two", T + "-2 three"),
                subscribe("lobby", MessageId.ZERO).events());
        paused.makeRoom(10); // was at "from the start" when "one" was dropped: it missed it
        subscription.resume();
        assertEquals(List.of("gap " + T + "-1", T + "-1 two", T + "-2 three"), paused.events());
    }

    @Test
    void aRefusedMessageComesAgainFirstOnResumeAndNothingTwice() {
        Recorder recorder = new Recorder(1);
        Subscription subscription = broker.subscribe("lobby", null, recorder);
        subscription.resume();
        publish("lobby", "one");
        publish("lobby", "two");
        publish("lobby", "three");
        assertEquals(List.of(T + "-0 one"), recorder.events());

        recorder.makeRoom(1);
        subscription.resume();
        assertEquals(List.of(T + "-0 one", T + "-1 two"), recorder.events());

        recorder.makeRoom(10);
        subscription.resume();
        publish("lobby", "four");
        assertEquals(List.of(T + "-0 one", T + "-1 two", T + "-2 three", T + "-3 four"), recorder.events());
    }

    @Test
    void caughtUpIsReportedEachTimeDeliveryRunsOut() {
        Recorder recorder = subscribe("lobby", null);
        assertEquals(1, recorder.caughtUp.get()); // nothing to deliver yet
        publish("lobby", "one");
        assertEquals(2, recorder.caughtUp.get());
        assertEquals(List.of(T + "-0 one"), recorder.events());
    }

    @Test
    void aRoomKeepsItsLastHistoryMessagesAndAResumeBeforeThemGetsTheGapMarker() {
        broker = broker(3, 10_000, 64 << 20);
        Message first = publish("lobby", "one");
        Message second = publish("lobby", "two");
        for (String text : List.of("three", "four", "five")) {
            publish("lobby", text);
        }

        assertEquals(List.of("gap", T + "-2 three", T + "-3 four", T + "-4 five"), read("lobby", MessageId.ZERO, 10));
        assertEquals(List.of("gap " + T + "-2", T + "-2 three", T + "-3 four", T + "-4 five"),
                subscribe("lobby", first.id()).events());
        // The client that has "two" missed nothing: no marker.
        assertEquals(List.of(T + "-2 three", T + "-3 four", T + "-4 five"), subscribe("lobby", second.id()).events());
        assertEquals(3, broker.counts().messages());
    }

    @Test
    void aPausedSubscriberThatHistoryHasPassedGetsTheGapMarkerThenTheOldestRetained() {
        broker = broker(2, 10_000, 64 << 20);
        Recorder recorder = new Recorder(1);
        Subscription subscription = broker.subscribe("lobby", null, recorder);
        subscription.resume();
        for (String text : List.of("one", "two", "three", "four")) {
            publish("lobby", text);
        }

        recorder.makeRoom(10);
        subscription.resume();
        assertEquals(List.of(T + "-0 one", "gap " + T + "-2", T + "-2 three", T + "-3 four"), recorder.events());
    }

    @Test
    void aRefusedGapMarkerIsReportedAgainOnResume() {
        broker = broker(1, 10_000, 64 << 20);
        Message first = publish("lobby", "one");
        publish("lobby", "two");
        publish("lobby", "three");
        Recorder recorder = new Recorder(0);
        Subscription subscription = broker.subscribe("lobby", first.id(), recorder);
        subscription.resume();
        publish("lobby", "four");

        recorder.makeRoom(10);
        subscription.resume();
        assertEquals(List.of("gap " + T + "-3", T + "-3 four"), recorder.events());
    }

    @Test
    void aMessageRefusedRightAfterItsGapMarkerComesNextWithoutASecondMarker() {
        broker = broker(2, 10_000, 64 << 20);
        Message first = publish("lobby", "one");
        for (String text : List.of("two", "three", "four")) {
            publish("lobby", text);
        }
        Recorder recorder = new Recorder(1); // takes the marker, refuses "three"
        Subscription subscription = broker.subscribe("lobby", first.id(), recorder);
        subscription.resume();

        recorder.makeRoom(10);
        subscription.resume();
        assertEquals(List.of("gap " + T + "-2", T + "-2 three", T + "-3 four"), recorder.events());
    }

    @Test
    void anIdFromBeforeTheRoomExistedGetsTheGapMarker() {
        MessageId fromAnEarlierServer = id(T - 60_000, 4);
        Recorder recorder = subscribe("lobby", fromAnEarlierServer);
        assertEquals(List.of(), recorder.events()); // a gap is marked before a message, so first wait for one

        publish("lobby", "one");
        assertEquals(List.of("gap " + T + "-0", T + "-0 one"), recorder.events());
    }

    @Test
    void anIdNewerThanAnythingTheRoomIssuedStartsFromTheOldestRetainedAfterTheGapMarker() {
        publish("lobby", "one");
        publish("lobby", "two");

        assertEquals(List.of("gap " + T + "-0", T + "-0 one", T + "-1 two"),
                subscribe("lobby", id(T + 60_000, 0)).events());
        assertEquals(List.of("gap", T + "-0 one", T + "-1 two"), read("lobby", id(T + 60_000, 0), 10));
    }

    @Test
    void readReturnsUpToLimitMessagesAfterAnIdAndDoesNotOpenRooms() {
        Message first = publish("lobby", "one");
        publish("lobby", "two");
        publish("lobby", "three");

        assertEquals(List.of(T + "-1 two"), read("lobby", first.id(), 1));
        assertEquals(List.of(T + "-1 two", T + "-2 three"), read("lobby", first.id(), 100));
        assertEquals(List.of(), read("lobby", id(T, 2), 100));
        assertEquals(List.of(), read("nowhere", MessageId.ZERO, 100));
        assertEquals(1, broker.counts().rooms());
    }

    @Test
    void theByteBudgetDropsTheGloballyOldestMessagesFirstAcrossRooms() {
        String text = "x".repeat(100);
        long size = new Message(id(T, 0), "a", "alice", text, Instant.EPOCH).heapEstimate();
        broker = broker(1000, 10_000, 3 * size);
        publish("a", text);                        // T-0 in a: the oldest of all
        clock.advance(Duration.ofMillis(1));
        publish("b", text);                        // T+1-0 in b
        clock.advance(Duration.ofMillis(1));
        publish("a", text);                        // T+2-0 in a
        assertEquals(new Counts(2, 3, 3 * size, 0), broker.counts());

        clock.advance(Duration.ofMillis(1));
        publish("c", text);                        // over budget: a's first goes
        assertEquals(List.of("gap", (T + 2) + "-0 " + text), read("a", MessageId.ZERO, 10));
        assertEquals(List.of((T + 1) + "-0 " + text), read("b", MessageId.before(T + 1), 10));

        clock.advance(Duration.ofMillis(1));
        publish("c", text);                        // b's only message is now the oldest
        assertEquals(List.of(), read("b", MessageId.ZERO, 10));
        assertEquals(new Counts(3, 3, 3 * size, 0), broker.counts());
    }

    @Test
    void aSubscriberWhoseHistoryWasTrimmedByTheBudgetSeesTheGapMarker() {
        String text = "y".repeat(50);
        long size = new Message(id(T, 0), "a", "alice", text, Instant.EPOCH).heapEstimate();
        broker = broker(1000, 10_000, 2 * size);
        Message first = publish("a", text);
        publish("a", text);
        publish("b", text); // trims a's first

        assertEquals(List.of("gap " + T + "-1", T + "-1 " + text), subscribe("a", MessageId.ZERO).events());
        assertEquals(List.of("gap " + T + "-1", T + "-1 " + text), subscribe("a", MessageId.before(T)).events());
        assertEquals(List.of(T + "-1 " + text), subscribe("a", first.id()).events());
    }

    @Test
    void beyondMaxRoomsPublishingAndSubscribingAreRefusedWithTooManyRooms() {
        broker = broker(1000, 2, 64 << 20);
        publish("a", "one");
        subscribe("b", null);

        CompletionException refused = assertThrows(CompletionException.class, () -> publish("c", "one"));
        assertInstanceOf(Broker.TooManyRooms.class, refused.getCause());
        assertEquals("too many chat rooms open (at most 2); try again later", refused.getCause().getMessage());

        Recorder recorder = new Recorder();
        Subscription subscription = broker.subscribe("c", null, recorder);
        assertEquals(1, recorder.closed.getCount()); // reported on the first resume, not before
        subscription.resume();
        assertInstanceOf(Broker.TooManyRooms.class, recorder.closedWith);

        publish("a", "rooms that exist still work");
        assertEquals(2, broker.counts().rooms());
    }

    @Test
    void roomsIdleForTheIdleTimeAreDroppedWithTheirHistory() {
        publish("quiet", "one");
        publish("listened", "one"); // a room that never held a message goes with its last subscriber: see below
        Recorder listener = new Recorder();
        Subscription listening = broker.subscribe("listened", null, listener);
        listening.resume();
        publish("busy", "one");

        clock.advance(Duration.ofMinutes(59));
        publish("busy", "two");
        broker.sweep();
        assertEquals(3, broker.counts().rooms());

        clock.advance(Duration.ofMinutes(1));
        broker.sweep(); // "quiet": an hour since its publish; "listened" has a subscriber; "busy" published
        assertEquals(new Counts(2, 3, broker.counts().bytes(), 1), broker.counts());
        assertEquals(List.of(), read("quiet", MessageId.ZERO, 10));

        listening.cancel(); // idle from now on
        clock.advance(Duration.ofMinutes(59));
        broker.sweep(); // "busy": an hour since its last publish
        assertEquals(1, broker.counts().rooms());
        clock.advance(Duration.ofMinutes(1));
        broker.sweep();
        assertEquals(new Counts(0, 0, 0, 0), broker.counts());
    }

    @Test
    void aRoomThatHeldAMessageStaysWhenItsLastSubscriberLeavesEvenTrimmedToEmpty() {
        broker = broker(1000, 10_000, 1); // a byte budget that trims every message as soon as it is stored
        Message first = publish("trimmed", "one");
        assertEquals(new Counts(1, 0, 0, 0), broker.counts());
        broker.subscribe("trimmed", null, new Recorder()).cancel();
        assertEquals(1, broker.counts().rooms());

        // Still the room that issued T-0: a fresh one, opened in the same millisecond, would issue T-0 again.
        Message second = publish("trimmed", "two");
        assertEquals(T + "-0", first.id().toString());
        assertEquals(T + "-1", second.id().toString());
    }

    @Test
    void aDroppedRoomOpensAgainFreshAndResumingIntoItShowsTheGap() {
        Message old = publish("lobby", "before the drop");
        clock.advance(Duration.ofHours(2));
        broker.sweep();
        assertEquals(0, broker.counts().rooms());

        Recorder recorder = subscribe("lobby", old.id());
        Message next = publish("lobby", "after the drop");
        assertEquals(List.of("gap " + next.id(), next.id() + " after the drop"), recorder.events());
        assertTrue(old.id().isBefore(next.id()));
    }

    @Test
    void dropsFreeARoomForMaxRooms() {
        broker = broker(1000, 1, 64 << 20);
        publish("a", "one");
        assertThrows(CompletionException.class, () -> publish("b", "one"));
        clock.advance(Duration.ofHours(1));
        broker.sweep();

        assertEquals(T + 3_600_000 + "-0", publish("b", "one").id().toString());
    }

    @Test
    void theSweepRunsOnTheSchedulerItIsGiven() throws InterruptedException {
        broker.close();
        broker = new MemoryBroker(new ChatSettings(1000, 10, 64 << 20, Duration.ofMillis(1000), Duration.ofSeconds(15)),
                clock, scheduler); // sweeps every 250 ms
        publish("lobby", "one");
        clock.advance(Duration.ofSeconds(1));

        long deadline = System.nanoTime() + SECONDS.toNanos(5);
        while (broker.counts().rooms() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(20); // polling with a deadline: the sweep runs on its own schedule
        }
        assertEquals(0, broker.counts().rooms());
    }

    @Test
    void cancelStopsDeliveryIsIdempotentAndIsNotReportedAsClosed() {
        Recorder recorder = new Recorder();
        Subscription subscription = broker.subscribe("lobby", null, recorder);
        subscription.resume();
        assertEquals(1, broker.counts().subscribers());
        subscription.cancel();
        subscription.cancel();
        publish("lobby", "one");
        subscription.resume();

        assertEquals(List.of(), recorder.events());
        assertEquals(0, broker.counts().subscribers());
        broker.close();
        assertEquals(1, recorder.closed.getCount());
    }

    @Test
    void closeEndsEverySubscriptionAndRefusesWhatComesAfter() throws InterruptedException {
        Recorder resumed = subscribe("lobby", null);
        Recorder neverResumed = new Recorder();
        broker.subscribe("other", null, neverResumed);

        broker.close();
        assertTrue(resumed.closed.await(1, SECONDS));
        assertNull(resumed.closedWith);
        assertTrue(neverResumed.closed.await(1, SECONDS));

        CompletionException refused = assertThrows(CompletionException.class, () -> publish("lobby", "late"));
        assertInstanceOf(Broker.Unavailable.class, refused.getCause());
        Recorder late = new Recorder();
        broker.subscribe("lobby", null, late).resume();
        assertInstanceOf(Broker.Unavailable.class, late.closedWith);
        assertEquals(new Counts(0, 0, 0, 0), broker.counts());
    }

    @Test
    void aSubscriberThatThrowsIsClosedWithItsExceptionAndThePublishStillSucceeds() {
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicReference<Throwable> closedWith = new AtomicReference<>();
        Subscriber throwing = new Subscriber() {
            @Override
            public boolean onGap(MessageId oldest) {
                return true;
            }

            @Override
            public boolean onMessage(Message message) {
                throw boom;
            }

            @Override
            public void onCaughtUp() {
            }

            @Override
            public void onClosed(Throwable cause) {
                closedWith.set(cause);
            }
        };
        broker.subscribe("lobby", null, throwing).resume();
        Recorder bystander = subscribe("lobby", null);

        Message message = publish("lobby", "one");
        assertEquals(boom, closedWith.get());
        assertEquals(List.of(message.id() + " one"), bystander.events());
        assertEquals(1, broker.counts().subscribers());
        assertEquals(1, bystander.closed.getCount());
    }

    @Test
    void countsRoomsMessagesBytesAndSubscribers() {
        Message hello = publish("a", "hello");
        Message hi = publish("b", "hi");
        subscribe("a", null);
        subscribe("c", null);

        assertEquals(new Counts(3, 2, hello.heapEstimate() + hi.heapEstimate(), 2), broker.counts());
        // Two bytes per character of name and text, for the strings, for the JSON kept as a string and as bytes, and
        // for the Server-Sent Event kept with them.
        assertEquals(5 * 2 * (5 + 5) + 160 + 3 * 120 + 180, hello.heapEstimate());
    }
}
