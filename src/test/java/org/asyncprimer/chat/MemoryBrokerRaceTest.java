package org.asyncprimer.chat;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Publishers and subscribers on many threads at once: subscriptions start while messages are being published,
 * subscribers refuse at random and are resumed from yet another thread, and every subscriber must still see
 * each message after its start exactly once, in order, with a gap marker exactly where history was lost. Each
 * race runs twice: with every room woken on the publishers' threads, and with every wake handed to the broker's
 * fan-out thread (as a room of thousands is woken).
 */
class MemoryBrokerRaceTest {

    private static final String ROOM = "race";
    private static final int PUBLISHERS = 4;
    private static final int PER_PUBLISHER = 2000;
    private static final int SUBSCRIBE_EVERY = 80; // each publisher subscribes 25 times as it goes

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService resumer = Executors.newFixedThreadPool(2);
    private final ExecutorService publishers = Executors.newFixedThreadPool(PUBLISHERS);
    private final AtomicLong tickets = new AtomicLong();
    private final Map<MessageId, Long> ticketOf = new ConcurrentHashMap<>();
    private final List<MessageId> published = new CopyOnWriteArrayList<>();
    private final List<Run> runs = new CopyOnWriteArrayList<>();
    private MemoryBroker broker;

    @AfterEach
    void stop() {
        broker.close();
        publishers.shutdownNow();
        resumer.shutdownNow();
        scheduler.shutdownNow();
    }

    /** One subscription: where it started and what it was given. */
    private record Run(MessageId since, Set<MessageId> publishedBefore, long lastTicketBefore, Probe probe) {
    }

    @ParameterizedTest(name = "handed to the fan-out thread: {0}")
    @ValueSource(booleans = {false, true})
    void withAllHistoryRetainedEverySubscriberGetsEachMessageAfterItsStartOnceInOrder(boolean handedOff)
            throws Exception {
        List<MessageId> all = race(1_000_000, 7, handedOff);

        for (Run run : runs) {
            List<MessageId> got = run.probe.ids();
            assertEquals(List.of(), run.probe.violations());
            assertEquals(got.size(), run.probe.events().size(), "no gap markers: nothing was lost");
            if (run.since != null) {
                int from = Collections.binarySearch(all, run.since) + 1;
                assertEquals(all.subList(from, all.size()), got, "after " + run.since);
            } else {
                int from = all.indexOf(got.get(0));
                assertEquals(all.subList(from, all.size()), got, "a contiguous run to the end");
                for (MessageId id : got) {
                    assertTrue(!run.publishedBefore.contains(id), id + " was published before subscribing");
                }
                Set<MessageId> delivered = Set.copyOf(got);
                for (MessageId id : all) {
                    assertTrue(ticketOf.get(id) <= run.lastTicketBefore || delivered.contains(id),
                            id + " was published after subscribing but not delivered");
                }
            }
        }
    }

    @ParameterizedTest(name = "handed to the fan-out thread: {0}")
    @ValueSource(booleans = {false, true})
    void withShortHistorySlowSubscribersGetGapMarkersExactlyWhereMessagesWereLost(boolean handedOff)
            throws Exception {
        List<MessageId> all = race(20, 2, handedOff);

        long gaps = 0;
        for (Run run : runs) {
            List<Object> got = run.probe.events();
            assertEquals(List.of(), run.probe.violations());
            MessageId previous = run.since;
            String lastGap = null; // the marker just before this message, if any
            for (Object event : got) {
                if (event instanceof String gap) {
                    // Taken, then the message it named was refused and trimmed before the resume: a newer marker.
                    lastGap = gap;
                    gaps++;
                    continue;
                }
                MessageId id = (MessageId) event;
                if (previous != null) {
                    assertTrue(previous.isBefore(id), previous + " then " + id);
                    boolean adjacent = Collections.binarySearch(all, id) == Collections.binarySearch(all, previous) + 1;
                    assertEquals(!adjacent, lastGap != null, previous + " then " + id + " after marker " + lastGap);
                }
                if (lastGap != null) {
                    assertEquals("gap " + id, lastGap, "the marker names the message that follows it");
                }
                previous = id;
                lastGap = null;
            }
            assertEquals(all.get(all.size() - 1), previous, "every subscriber reaches the last message");
        }
        assertTrue(gaps > 0, "short history and slow subscribers must have produced gaps");
    }

    @Test
    void aSubscriptionRacingTheDropOfARoomThatHoldsNoMessageLandsInTheRoomThatGetsTheNextOne() throws Exception {
        broker = new MemoryBroker(new ChatSettings(1000, 10_000, 64 << 20, Duration.ofHours(1),
                Duration.ofSeconds(15)), Clock.systemUTC(), scheduler);
        for (int round = 0; round < 200; round++) {
            String room = "empty-" + round;
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> churners = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                churners.add(publishers.submit(() -> {
                    go.await();
                    for (int k = 0; k < 20; k++) {
                        broker.subscribe(room, null, new Recorder()).cancel(); // each may drop the room
                    }
                    return null;
                }));
            }
            go.countDown();
            Recorder keeper = new Recorder();
            Subscription kept = broker.subscribe(room, null, keeper);
            kept.resume();
            for (Future<?> churner : churners) {
                churner.get(30, SECONDS);
            }
            Message next = broker.publish(room, new Draft("racer", "after the churn")).toCompletableFuture().join();
            BrokerContract.awaitExactly(keeper, List.of(next.id() + " after the churn"));
            kept.cancel();
        }
        assertEquals(200, broker.counts().rooms(), "rooms that got a message stay");
    }

    /**
     * Publishes from {@link #PUBLISHERS} threads; every {@link #SUBSCRIBE_EVERY} messages a publisher also
     * subscribes (without since, since its own last message, or since an older one) while the others go on.
     * Returns every id in order once all subscribers have the last message.
     */
    private List<MessageId> race(int history, int refuseOneIn, boolean handedOff) throws Exception {
        broker = new MemoryBroker(new ChatSettings(history, 10, 64 << 20, Duration.ofHours(1), Duration.ofSeconds(15)),
                Clock.systemUTC(), scheduler, handedOff ? 1 : Integer.MAX_VALUE);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
            int publisher = p;
            done.add(publishers.submit(() -> {
                go.await();
                MessageId mine = null;
                for (int k = 0; k < PER_PUBLISHER; k++) {
                    if (k % SUBSCRIBE_EVERY == 0) {
                        startRun(k / SUBSCRIBE_EVERY % 3 == 0 ? null : k / SUBSCRIBE_EVERY % 3 == 1 ? mine
                                : randomPublished(), refuseOneIn);
                    }
                    long ticket = tickets.incrementAndGet();
                    mine = publish(publisher + "-" + k);
                    ticketOf.put(mine, ticket);
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> publisher : done) {
            publisher.get(60, SECONDS);
        }
        MessageId last = publish("the end");
        ticketOf.put(last, tickets.incrementAndGet());
        for (Run run : runs) {
            assertTrue(run.probe.sawLast(last, Duration.ofSeconds(30)), "a subscriber never got the last message: "
                    + run.probe.events().size() + " events, since " + run.since);
        }
        List<MessageId> all = new ArrayList<>(ticketOf.keySet());
        Collections.sort(all);
        assertEquals(PUBLISHERS * PER_PUBLISHER + 1, all.size());
        assertEquals(PUBLISHERS * (PER_PUBLISHER / SUBSCRIBE_EVERY), runs.size());
        return all;
    }

    private MessageId publish(String text) {
        MessageId id = broker.publish(ROOM, new Draft("racer", text)).toCompletableFuture().join().id();
        published.add(id);
        return id;
    }

    private MessageId randomPublished() {
        return published.isEmpty() ? null : published.get(ThreadLocalRandom.current().nextInt(published.size()));
    }

    private void startRun(MessageId since, int refuseOneIn) {
        Set<MessageId> before = since == null ? Set.copyOf(published) : Set.of();
        Probe probe = new Probe(resumer, refuseOneIn);
        Subscription subscription = broker.subscribe(ROOM, since, probe);
        runs.add(new Run(since, before, tickets.get(), probe));
        probe.start(subscription);
    }

    /** A subscriber that refuses one item in {@code refuseOneIn} and has another thread resume it at once. */
    private static final class Probe implements Subscriber {

        private final ExecutorService resumer;
        private final int refuseOneIn;
        private final List<Object> events = Collections.synchronizedList(new ArrayList<>());
        private final List<String> violations = new CopyOnWriteArrayList<>();
        private final AtomicBoolean inCallback = new AtomicBoolean();
        private final Set<MessageId> seen = ConcurrentHashMap.newKeySet();
        private volatile Subscription subscription;
        private volatile MessageId newest;

        Probe(ExecutorService resumer, int refuseOneIn) {
            this.resumer = resumer;
            this.refuseOneIn = refuseOneIn;
        }

        void start(Subscription handle) {
            subscription = handle;
            handle.resume();
        }

        @Override
        public boolean onGap(MessageId oldest) {
            return take("gap " + oldest);
        }

        @Override
        public boolean onMessage(Message message) {
            if (!seen.add(message.id())) {
                violations.add("twice: " + message.id());
            }
            if (!take(message.id())) {
                seen.remove(message.id());
                return false;
            }
            newest = message.id();
            return true;
        }

        private boolean take(Object event) {
            if (!inCallback.compareAndSet(false, true)) {
                violations.add("overlapping callbacks at " + event);
            }
            try {
                if (ThreadLocalRandom.current().nextInt(refuseOneIn) == 0) {
                    resumer.execute(subscription::resume); // may run before this refusal returns: must not be lost
                    return false;
                }
                events.add(event);
                return true;
            } finally {
                inCallback.set(false);
            }
        }

        @Override
        public void onCaughtUp() {
        }

        @Override
        public void onClosed(Throwable cause) {
            violations.add("closed: " + cause);
        }

        boolean sawLast(MessageId last, Duration within) throws InterruptedException {
            long deadline = System.nanoTime() + within.toNanos();
            while (!last.equals(newest) && System.nanoTime() < deadline) {
                Thread.sleep(5); // polling with a deadline: delivery runs on the publisher and resumer threads
            }
            return last.equals(newest);
        }

        List<Object> events() {
            synchronized (events) {
                return List.copyOf(events);
            }
        }

        List<MessageId> ids() {
            return events().stream().filter(MessageId.class::isInstance).map(MessageId.class::cast).toList();
        }

        List<String> violations() {
            return List.copyOf(violations);
        }
    }
}
