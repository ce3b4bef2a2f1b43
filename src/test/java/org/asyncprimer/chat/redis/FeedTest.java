package org.asyncprimer.chat.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.asyncprimer.chat.Message;
import org.asyncprimer.chat.MessageId;
import org.junit.jupiter.api.Test;

/** A node's tail of a room: what a subscription reads from it, and when it must read from Redis instead. */
class FeedTest {

    private final Feed.Budget budget = new Feed.Budget(64 << 20);
    private final Feed feed = new Feed("lobby", 4, budget, 0);

    private static MessageId id(long n) {
        return new MessageId(1000 + n, 0);
    }

    /** The entry with id n, whose predecessor in the stream is {@code prev} (0: the stream's first). */
    private static Entry entry(long n, long prev) {
        return new Entry(new Message(id(n), "lobby", "alice", "m" + n, Instant.ofEpochMilli(1000 + n)),
                prev == 0 ? MessageId.ZERO : id(prev));
    }

    /** Entries from..to, each following the one before. */
    private static List<Entry> run(long from, long to) {
        List<Entry> entries = new ArrayList<>();
        for (long n = from; n <= to; n++) {
            entries.add(entry(n, n - 1));
        }
        return entries;
    }

    private static List<Long> numbers(Feed.Batch batch) {
        return batch.entries().stream().map(e -> e.id().ms() - 1000).toList();
    }

    @Test
    void aSubscriptionReadsWhatFollowsItsPositionFromTheTail() {
        feed.join(MessageId.ZERO);
        assertTrue(feed.append(run(1, 3)));

        assertEquals(List.of(2L, 3L), numbers(feed.after(id(1), 10)));
        assertFalse(feed.after(id(1), 10).gap());
        assertEquals(List.of(1L, 2L, 3L), numbers(feed.after(MessageId.ZERO, 10)));
        assertEquals(List.of(1L), numbers(feed.after(MessageId.ZERO, 1)));
        assertEquals(Feed.Batch.EMPTY, feed.after(id(3), 10));
        assertEquals(Feed.Batch.EMPTY, feed.after(id(7), 10)); // ahead of the reader: it waits for it
    }

    @Test
    void theTailStartsAtTheRoomsNewestIdWhenTheNodeJoinsAndEarlierPositionsReadFromRedis() {
        feed.join(id(5));
        assertEquals(Feed.Batch.EMPTY, feed.after(id(5), 10));
        assertNull(feed.after(id(4), 10));
        assertTrue(feed.append(run(6, 7)));
        assertEquals(List.of(6L, 7L), numbers(feed.after(id(5), 10)));
        assertNull(feed.after(id(4), 10));
    }

    @Test
    void entriesTheReaderHasAlreadyAddedAreNotAddedTwice() {
        feed.join(MessageId.ZERO);
        feed.append(run(1, 3));
        assertFalse(feed.append(run(2, 3)));
        assertTrue(feed.append(run(3, 4)));
        assertEquals(List.of(1L, 2L, 3L, 4L), numbers(feed.after(MessageId.ZERO, 10)));
        assertEquals(4, budget.messages.get());
    }

    @Test
    void theTailKeepsItsLimitAndOlderPositionsThenReadFromRedis() {
        feed.join(MessageId.ZERO);
        feed.append(run(1, 6));
        assertEquals(List.of(3L, 4L, 5L, 6L), numbers(feed.after(id(2), 10)));
        assertNull(feed.after(id(1), 10));
        assertEquals(4, budget.messages.get());
    }

    @Test
    void whenTheReaderFellBehindATrimTheTailStartsOverAndEveryoneBeforeItReadsFromRedis() {
        feed.join(MessageId.ZERO);
        feed.append(run(1, 3));
        // 4..9 were trimmed away before the reader got to them: 10 follows 9, not 3.
        feed.append(List.of(entry(10, 9), entry(11, 10)));

        assertNull(feed.after(id(2), 10), "a position before the lost entries must not read across them");
        assertNull(feed.after(id(3), 10));
        assertEquals(List.of(10L, 11L), numbers(feed.after(id(9), 10)));
        assertEquals(2, budget.messages.get());
    }

    @Test
    void aPositionTheStreamNeverHadBeforeATailEntryGetsTheGapMarker() {
        feed.join(MessageId.ZERO);
        feed.append(run(1, 3));
        Feed.Batch batch = feed.after(new MessageId(1001, 5), 10); // between 1 and 2: not an id of this stream
        assertEquals(List.of(2L, 3L), numbers(batch));
        assertTrue(batch.gap());
    }

    @Test
    void aTailThatGrowsPastTheByteBudgetOfAllTailsIsTrimmedDownToItsNewest() {
        Feed.Budget small = new Feed.Budget(3 * entry(1, 0).size());
        Feed one = new Feed("one", 100, small, 0);
        Feed two = new Feed("two", 100, small, 0);
        one.join(MessageId.ZERO);
        two.join(MessageId.ZERO);
        one.append(run(1, 3));
        two.append(run(1, 2));

        // The room that goes past the budget gives way (all tails stay within it plus one entry per room).
        assertEquals(List.of(1L, 2L, 3L), numbers(one.after(MessageId.ZERO, 10)));
        assertNull(two.after(MessageId.ZERO, 10));
        assertEquals(List.of(2L), numbers(two.after(id(1), 10)));
        assertEquals(4, small.messages.get());
        one.append(run(4, 4)); // now the first room gives way, just enough
        assertEquals(List.of(3L, 4L), numbers(one.after(id(2), 10)));
        assertNull(one.after(id(1), 10));
        assertEquals(3, small.messages.get());
    }

    @Test
    void countsEachEntryAsTheInMemoryBrokerCountsItsMessage() {
        feed.join(MessageId.ZERO);
        List<Entry> entries = run(1, 2);
        feed.append(entries);
        long expected = entries.get(0).message().heapEstimate() + entries.get(1).message().heapEstimate();
        assertEquals(expected, budget.bytes.get(), "the message's estimate, its cached JSON and event included");
    }

    @Test
    void aDroppedFeedRefusesSubscriptionsAndEntriesAndFreesItsTail() {
        feed.join(MessageId.ZERO);
        feed.append(run(1, 3));
        feed.drop();
        assertEquals(0, budget.messages.get());
        assertEquals(0, budget.bytes.get());
        assertFalse(feed.append(run(4, 4)));
        assertFalse(feed.register(null));
    }
}
